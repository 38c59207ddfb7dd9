import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { addDebugpyEdit, DEBUGPY_RUN_LINE } from '../../../src/core/debug/debugpyFix';
import { applyEdits } from '../../../src/core/dockerfile/edits';

const apply = (text: string, target?: string) => {
  const fix = addDebugpyEdit(text, target);
  assert.ok(fix, 'a fix is offered');
  return applyEdits(text, [fix.edit]);
};

void test('the iris lab: after its pip install line, before USER', () => {
  const text = readFileSync(path.join(__dirname, '../../../../test/fixtures/labs/iris-train/train.dockerfile'), 'utf8');
  const lines = apply(text).split('\n');
  const pip = lines.findIndex((l) => l.startsWith('RUN pip install --no-cache-dir -r requirements.txt'));
  assert.equal(lines[pip + 2], DEBUGPY_RUN_LINE);
  assert.ok(lines.findIndex((l) => l.startsWith('USER')) > pip + 2, 'installed as root, before USER');
});

void test('no pip install: before the first USER of the stage', () => {
  assert.equal(apply('FROM x\nCOPY . /app\nUSER app\nCMD ["python", "a.py"]\n'), `FROM x\nCOPY . /app\n# debugpy: the debugger "ML Lab: Debug Profile..." runs the script under\n${DEBUGPY_RUN_LINE}\nUSER app\nCMD ["python", "a.py"]\n`);
});

void test('neither: at the end of the stage, also without a final line break', () => {
  assert.match(apply('FROM x\nCMD ["python", "a.py"]'), new RegExp(`CMD \\["python", "a.py"\\]\\n# debugpy.*\\n${DEBUGPY_RUN_LINE}\\n$`));
});

void test('the built target stage (a dev stage), not the last one', () => {
  const out = apply('FROM x AS dev\nRUN pip install -r req.txt\nFROM x AS prod\nRUN pip install gunicorn\n', 'dev');
  assert.match(out, new RegExp(`RUN pip install -r req.txt\\n# debugpy.*\\n${DEBUGPY_RUN_LINE}\\nFROM x AS prod`));
});

void test('a multi-line pip install: after its last line', () => {
  const out = apply('FROM x\nRUN pip install \\\n    numpy \\\n    torch\nCMD ["python"]\n');
  assert.match(out, new RegExp(`    torch\\n# debugpy.*\\n${DEBUGPY_RUN_LINE}\\nCMD`));
});

void test('nothing to do when the stage installs debugpy already, or there is no FROM', () => {
  assert.equal(addDebugpyEdit('FROM x\nRUN pip install debugpy\n'), undefined);
  assert.equal(addDebugpyEdit('# empty\n'), undefined);
  assert.ok(addDebugpyEdit('FROM x\nRUN rm -rf /usr/lib/python3/dist-packages/debugpy\n'), 'removing debugpy is not installing it');
});
