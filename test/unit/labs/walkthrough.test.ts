/** The walkthrough in package.json: its steps follow the lab notes and complete on real events. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CommandIds, WALKTHROUGH_ID, WalkthroughContexts } from '../../../src/core/ids';
import { countsAsLabRun, findingFixed, isDockerfilePath, isMetricsFile } from '../../../src/core/labs/walkthrough';

const ROOT = path.resolve(__dirname, '../../../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { walkthroughs: Array<{ id: string; title: string; steps: Array<{ id: string; title: string; description: string; media: { markdown?: string }; completionEvents: string[] }> }> };
};

void test('one walkthrough, "Containerise your first model", in the lab notes\' order', () => {
  const [w] = pkg.contributes.walkthroughs;
  assert.equal(`ml-container-lab.${w.id}`, `ml-container-lab.${WALKTHROUGH_ID}`);
  assert.equal(w.title, 'Containerise your first model');
  assert.deepEqual(w.steps.map((s) => s.id), ['openLab', 'dockerfile', 'guidance', 'build', 'run', 'results', 'push', 'cleanup']);
});

void test('every step completes on a command of ours or a context key the extension sets, never on a click; its media exists', () => {
  const commands = new Set<string>([...Object.values(CommandIds), 'workbench.action.files.openFolder']);
  const contexts = new Set<string>(Object.values(WalkthroughContexts));
  for (const s of pkg.contributes.walkthroughs[0].steps) {
    assert.ok(s.completionEvents.length > 0, s.id);
    for (const e of s.completionEvents) {
      const [kind, name] = e.split(/:(.*)/s);
      assert.ok((kind === 'onCommand' && commands.has(name)) || (kind === 'onContext' && contexts.has(name)), `${s.id}: ${e}`);
    }
    assert.ok(s.media.markdown && existsSync(path.join(ROOT, s.media.markdown)), `${s.id}: ${s.media.markdown}`);
    for (const m of s.description.matchAll(/\(command:([\w.]+)/g)) assert.ok(commands.has(m[1]) || m[1].startsWith('workbench.'), `${s.id} button ${m[1]}`);
  }
  const build = pkg.contributes.walkthroughs[0].steps.find((s) => s.id === 'build')!;
  assert.deepEqual(build.completionEvents, [`onContext:${WalkthroughContexts.imageBuilt}`], 'build completes when the image exists, not when the command starts');
});

const runCases: Array<{ name: string; input: Parameters<typeof countsAsLabRun>[0]; expected: boolean }> = [
  { name: 'a published port', input: { portBindings: { '8080/tcp': [{ HostPort: '8080' }] }, mountDestinations: [] }, expected: true },
  { name: 'the artifacts mount', input: { portBindings: {}, mountDestinations: ['/usr/local/app/artifacts'] }, expected: true },
  { name: 'an exposed but unpublished port and another mount', input: { portBindings: { '8080/tcp': null }, mountDestinations: ['/data'] }, expected: false },
];
for (const c of runCases) void test(`countsAsLabRun: ${c.name}`, () => assert.equal(countsAsLabRun(c.input), c.expected));

void test('findingFixed, isDockerfilePath, isMetricsFile', () => {
  assert.equal(findingFixed(undefined, 0), false);
  assert.equal(findingFixed(2, 1), true);
  assert.equal(findingFixed(1, 1), false);
  assert.ok(isDockerfilePath('/lab/train.dockerfile') && isDockerfilePath('/lab/Dockerfile') && !isDockerfilePath('/lab/train.py'));
  assert.ok(isMetricsFile('/lab/artifacts/metrics.json') && !isMetricsFile('/lab/metrics.json.bak'));
});
