/**
 * Host tier: the lab guidance in an open editor - diagnostics, quick fixes, suppression
 * comments, "fix all", per-rule settings, requirements.txt checks, and pinning requirements
 * to what `pip freeze` reports inside a really built image. Files are written into a unique
 * subfolder of the workspace (a temp copy of the iris lab) and removed afterwards.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlLabApi } from '../../src/extension';
import { BASE_IMAGE, cleanup, runId, testEngine, waitFor } from '../support/fixtures';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const SOURCE = 'ML Container Lab';
const RUN = runId('host-lang');
const pinTag = `mllab-hosttest/pin:${RUN}`;

async function activate(): Promise<void> {
  const ext = vscode.extensions.getExtension<MlLabApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  await ext.activate();
}

function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'a workspace folder is open');
  return folder;
}

/** Our diagnostics on `uri`, by rule id. */
function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function rules(uri: vscode.Uri): string[] {
  return ours(uri).map(codeOf);
}

/** Waits until `uri` has a diagnostic of `rule` (and returns it). */
function diagnosticOf(uri: vscode.Uri, rule: string): Promise<vscode.Diagnostic> {
  return waitFor(`a ${rule} diagnostic on ${path.basename(uri.fsPath)} (now: ${rules(uri).join(', ')})`, async () =>
    ours(uri).find((d) => codeOf(d) === rule),
  10_000, 50);
}

/** Waits until `uri` has no diagnostic of `rule`. */
function noDiagnosticOf(uri: vscode.Uri, rule: string): Promise<true> {
  return waitFor(`no ${rule} diagnostic on ${path.basename(uri.fsPath)} (now: ${rules(uri).join(', ')})`, async () =>
    ours(uri).some((d) => codeOf(d) === rule) ? undefined : true,
  10_000, 50);
}

async function open(file: string, text: string): Promise<vscode.TextDocument> {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
  return doc;
}

async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
}

async function applyAction(actions: vscode.CodeAction[], title: string): Promise<vscode.CodeAction> {
  const action = actions.find((a) => a.title === title);
  assert.ok(action, `a code action "${title}" among: ${actions.map((a) => a.title).join(' | ')}`);
  assert.ok(action.edit, `"${title}" carries a WorkspaceEdit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit), `"${title}" applies`);
  return action;
}

describe('Lab guidance in the editor', () => {
  let dir: string;
  const config = () => vscode.workspace.getConfiguration();

  before(async () => {
    await activate();
    dir = path.join(workspaceFolder(), `lint-${RUN}`);
    mkdirSync(dir, { recursive: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('mlLab.lint.rules', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('mlLab.lint.enable', undefined, vscode.ConfigurationTarget.Workspace);
    rmSync(dir, { recursive: true, force: true });
    await cleanup(testEngine(), RUN, [pinTag]);
  });

  describe('a Dockerfile with a shell-form CMD and no USER', () => {
    const text = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY train.py .\nCMD python train.py\n';
    let doc: vscode.TextDocument;

    before(async () => {
      doc = await open(path.join(dir, 'Dockerfile'), text);
    });

    it('reports ML006 on the CMD line and ML005 on FROM, with our source, the severity, the range and a link to the shipped rule page', async () => {
      const ml006 = await diagnosticOf(doc.uri, 'ML006');
      assert.equal(ml006.source, SOURCE);
      assert.equal(ml006.severity, vscode.DiagnosticSeverity.Warning);
      assert.ok(ml006.range.isEqual(new vscode.Range(3, 0, 3, 19)), `ML006 range ${JSON.stringify(ml006.range)}`);
      assert.equal(typeof ml006.code, 'object');
      const target = (ml006.code as { value: string; target: vscode.Uri }).target;
      // the rule pages joined into dist/rules.md by the build, opened at the rule's heading
      assert.ok(target.path.endsWith('/dist/rules.md'), target.toString());
      assert.ok(existsSync(target.fsPath), `${target.fsPath} exists in the extension`);
      const line = Number(/^L(\d+)$/.exec(target.fragment)?.[1]);
      assert.match(readFileSync(target.fsPath, 'utf8').split('\n')[line - 1] ?? '', /^# ML006: /, `line ${line} of rules.md is ML006's heading`);

      const ml005 = await diagnosticOf(doc.uri, 'ML005');
      assert.equal(ml005.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(ml005.range.start.line, 0, 'a missing USER is reported on the final FROM');
      const ml011 = await diagnosticOf(doc.uri, 'ML011');
      assert.equal(ml011.severity, vscode.DiagnosticSeverity.Hint);
    });

    it('offers the JSON-form rewrite as the preferred quick fix; applying it corrects the line and the finding goes away', async () => {
      const ml006 = await diagnosticOf(doc.uri, 'ML006');
      const actions = await codeActions(doc.uri, ml006.range);
      const fix = await applyAction(actions, 'Rewrite as CMD ["python", "train.py"]');
      assert.equal(fix.isPreferred, true);
      assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
      assert.equal(doc.lineAt(3).text, 'CMD ["python", "train.py"]');
      await noDiagnosticOf(doc.uri, 'ML006');
      assert.ok(actions.some((a) => a.title === 'Ignore ML006 here') && actions.some((a) => a.title === 'Ignore ML006 in this file'));
    });

    it('"Ignore ML005 here" inserts a # mllab-ignore comment above FROM; "Ignore ML011 in this file" a # mllab-ignore-file comment', async () => {
      const ml005 = await diagnosticOf(doc.uri, 'ML005');
      await applyAction(await codeActions(doc.uri, ml005.range), 'Ignore ML005 here');
      assert.equal(doc.lineAt(0).text, '# mllab-ignore ML005');
      assert.equal(doc.lineAt(1).text, 'FROM python:3.11-slim');
      await noDiagnosticOf(doc.uri, 'ML005');

      const ml011 = await diagnosticOf(doc.uri, 'ML011');
      await applyAction(await codeActions(doc.uri, ml011.range), 'Ignore ML011 in this file');
      assert.match(doc.getText(), /^# mllab-ignore-file ML011$/m);
      await noDiagnosticOf(doc.uri, 'ML011');
      assert.ok(rules(doc.uri).includes('ML027'), 'other findings stay');
    });
  });

  describe('fixes that change another file', () => {
    it('"Create .dockerignore" (ML024) creates the file beside the Dockerfile; ML014\'s fix appends to it; ML024 goes away', async () => {
      const ctxDir = path.join(dir, 'context');
      const doc = await open(
        path.join(ctxDir, 'Dockerfile'),
        'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCOPY data/ ./data/\nCMD ["python", "train.py"]\n',
      );
      const ignore = vscode.Uri.file(path.join(ctxDir, '.dockerignore'));
      const ml024 = await diagnosticOf(doc.uri, 'ML024');
      await applyAction(await codeActions(doc.uri, ml024.range), 'Create .dockerignore with ML defaults');
      const ignoreDoc = await vscode.workspace.openTextDocument(ignore);
      assert.match(ignoreDoc.getText(), /^\.git\n\.venv\n[^]*\ndata\/\n[^]*\.env\n$/);
      await noDiagnosticOf(doc.uri, 'ML024');

      const ml014 = await diagnosticOf(doc.uri, 'ML014');
      await applyAction(await codeActions(doc.uri, ml014.range), 'Replace with a volume mount comment and add to .dockerignore');
      assert.ok(ignoreDoc.getText().endsWith('.env\ndata\n'), JSON.stringify(ignoreDoc.getText()));
      assert.match(doc.getText(), /^# +docker run -v \.\/data:\/app\/data:ro IMAGE$/m);
      await noDiagnosticOf(doc.uri, 'ML014');
    });
  });

  describe('fix all and settings', () => {
    const text =
      'FROM python:3.11-slim\nRUN apt-get update && apt-get install -y curl\nRUN pip install -r requirements.txt\nCOPY app.py .\nCMD python app.py\n';
    const fixed =
      'FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n' +
      'RUN pip install --no-cache-dir -r requirements.txt\nCOPY app.py .\nCMD ["python", "app.py"]\n';
    let doc: vscode.TextDocument;

    before(async () => {
      doc = await open(path.join(dir, 'serve.dockerfile'), text);
      await diagnosticOf(doc.uri, 'ML006');
    });

    it('lists "Fix all lab guidance issues" as a source.fixAll.mllab action', async () => {
      const actions = await codeActions(doc.uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.mllab');
      const fixAll = actions.find((a) => a.title === 'Fix all lab guidance issues');
      assert.ok(fixAll, `source.fixAll.mllab action among: ${actions.map((a) => a.title).join(' | ')}`);
      assert.equal(fixAll.kind?.value, 'source.fixAll.mllab');
      assert.ok(fixAll.edit && fixAll.edit.size === 1, 'one edit to the Dockerfile');
    });

    it('mlLab.lint.fixAll applies every safe fix to the active editor and returns how many', async () => {
      await vscode.window.showTextDocument(doc);
      const applied = await vscode.commands.executeCommand<number>('mlLab.lint.fixAll');
      assert.equal(applied, 4, 'ML011, ML010, ML002 and ML006 have safe fixes');
      assert.equal(doc.getText(), fixed);
      for (const rule of ['ML002', 'ML006', 'ML010', 'ML011']) await noDiagnosticOf(doc.uri, rule);
      assert.ok(rules(doc.uri).includes('ML005'), 'findings without a safe fix stay');
      assert.equal(await vscode.commands.executeCommand<number>('mlLab.lint.fixAll'), 0, 'nothing is left to fix');
    });

    it('mlLab.lint.rules turns a rule off or changes its severity; mlLab.lint.enable=false clears everything; restoring brings them back', async () => {
      await diagnosticOf(doc.uri, 'ML009');
      try {
        await config().update('mlLab.lint.rules', { ML009: 'off', ML005: 'error' }, vscode.ConfigurationTarget.Workspace);
        await noDiagnosticOf(doc.uri, 'ML009');
        await waitFor('ML005 as an error', async () =>
          ours(doc.uri).find((d) => codeOf(d) === 'ML005' && d.severity === vscode.DiagnosticSeverity.Error),
        10_000, 50);

        await config().update('mlLab.lint.enable', false, vscode.ConfigurationTarget.Workspace);
        await waitFor('no diagnostics while linting is off', async () => (ours(doc.uri).length === 0 ? true : undefined), 10_000, 50);
      } finally {
        await config().update('mlLab.lint.enable', undefined, vscode.ConfigurationTarget.Workspace);
        await config().update('mlLab.lint.rules', undefined, vscode.ConfigurationTarget.Workspace);
      }
      await diagnosticOf(doc.uri, 'ML009');
      const ml005 = await diagnosticOf(doc.uri, 'ML005');
      assert.equal(ml005.severity, vscode.DiagnosticSeverity.Warning);
    });
  });

  describe('requirements files', () => {
    it('reports an unpinned requirement (ML028, warning) and sklearn (ML013, error), whatever the language id', async () => {
      const doc = await open(path.join(dir, 'requirements-dev.txt'), 'sklearn\npandas\nflask==3.0.0\n');
      const ml013 = await diagnosticOf(doc.uri, 'ML013');
      assert.equal(ml013.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(ml013.range.start.line, 0);
      const ml028 = await diagnosticOf(doc.uri, 'ML028');
      assert.equal(ml028.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(ml028.range.start.line, 1);
      assert.equal(ours(doc.uri).length, 2, 'the pinned flask line is fine');
      await applyAction(await codeActions(doc.uri, ml013.range), 'Replace sklearn with scikit-learn');
      assert.equal(doc.lineAt(0).text, 'scikit-learn');
      await noDiagnosticOf(doc.uri, 'ML013');
    });

    it('the placeholder pin fix (a snippet edit where supported) writes ==VERSION after the name', async () => {
      const doc = await open(path.join(dir, 'requirements-gpu.txt'), 'pandas\n');
      const ml028 = await diagnosticOf(doc.uri, 'ML028');
      await applyAction(await codeActions(doc.uri, ml028.range), 'Pin pandas to a version');
      assert.equal(doc.lineAt(0).text, 'pandas==VERSION');
      await noDiagnosticOf(doc.uri, 'ML028');
    });

    it('pins requirements to the versions pip freeze reports inside the image built for the folder, offered as a quick fix on ML028', async function () {
      this.timeout(300_000);
      const built = (await vscode.commands.executeCommand('mlLab.image.build', {
        dockerfile: path.join(workspaceFolder(), 'train.dockerfile'),
        tag: pinTag,
        buildArgs: { BASE_IMAGE },
      })) as { tag: string } | undefined;
      assert.ok(built, 'the build command returned the image (see the log for its error)');

      // The folder is named "pin": "Build Image" suggests the repository "pin" for it, and the
      // image just built (mllab-hosttest/pin:<run>) is the newest one this extension built there.
      const doc = await open(path.join(dir, 'pin', 'requirements.txt'), 'scikit-learn\nnumpy\n');
      const ml028 = await diagnosticOf(doc.uri, 'ML028');
      const actions = await codeActions(doc.uri, ml028.range);
      const pin = actions.find((a) => a.command?.command === 'mlLab.requirements.pinFromImage');
      assert.ok(pin, `a pin-from-image action among: ${actions.map((a) => a.title).join(' | ')}`);
      assert.deepEqual(pin.command?.arguments, [{ requirements: doc.uri.fsPath }]);

      const result = (await vscode.commands.executeCommand(pin.command!.command, ...(pin.command!.arguments ?? []))) as
        | { image: string; pinned: string[]; notInImage: string[] }
        | undefined;
      assert.ok(result, 'the pin command returned its result (see the log for its error)');
      assert.equal(result.image, pinTag);
      assert.deepEqual(result.pinned, ['scikit-learn==1.2.1', 'numpy==1.24.2']);
      assert.deepEqual(result.notInImage, []);
      assert.equal(doc.getText(), 'scikit-learn==1.2.1\nnumpy==1.24.2\n');
      await noDiagnosticOf(doc.uri, 'ML028');

      const left = (await testEngine().listContainers()).filter((c) => c.image === pinTag);
      assert.deepEqual(left.map((c) => c.name), [], 'the pip freeze container was removed');
    });
  });
});
