/**
 * Engine tier: the training, Flask and multi-stage snippets, expanded with their defaults, build
 * on the real engine. No registry is reachable here, so the local base image is passed as each
 * snippet's BASE_IMAGE build arg, as a user would.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expandSnippet } from '../../src/core/dockerfile/snippets';
import { BASE_IMAGE, TEST_LABEL, cleanup, repoRoot, runId, testEngine } from '../support/fixtures';

const RUN = runId('snippets');
const labs = path.join(repoRoot, 'test', 'fixtures', 'labs');
const snippets = JSON.parse(readFileSync(path.join(repoRoot, 'snippets', 'dockerfile.json'), 'utf8')) as Record<string, { prefix: string; body: string[] }>;
const body = (prefix: string) => Object.values(snippets).find((s) => s.prefix === prefix)!.body;

/** A build context with the snippet as its Dockerfile and the files it copies. */
function context(prefix: string, files: Array<[from: string, to: string]>, extra: Record<string, string> = {}): { dir: string; text: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `mllab-${prefix}-`));
  const text = expandSnippet(body(prefix)).text;
  writeFileSync(path.join(dir, 'Dockerfile'), text);
  for (const [from, to] of files) copyFileSync(path.join(labs, from), path.join(dir, to));
  for (const [name, content] of Object.entries(extra)) writeFileSync(path.join(dir, name), content);
  return { dir, text };
}

describe('ML snippets build on the real engine', () => {
  const engine = testEngine();
  const tags: string[] = [];
  after(async () => cleanup(engine, RUN, tags));

  const build = async (prefix: string, dir: string, buildArgs: Record<string, string> = { BASE_IMAGE }) => {
    const tag = `mllab-enginetest/snippet-${prefix.replace(/^ml-/, '')}:${RUN}`;
    tags.push(tag);
    const r = await engine.build({ contextDir: dir, dockerfile: path.join(dir, 'Dockerfile'), tag, buildArgs, labels: { [TEST_LABEL]: RUN } }, () => undefined);
    return { tag, ...r };
  };

  it('ml-train builds with the local base image as BASE_IMAGE, and the image trains', async () => {
    const { dir, text } = context('ml-train', [
      ['iris-train/requirements.txt', 'requirements.txt'],
      ['iris-train/train.py', 'train.py'],
    ]);
    assert.match(text, /^ARG BASE_IMAGE=python:3\.12-slim\nFROM \$\{BASE_IMAGE\}/, 'the snippet itself is unchanged');
    const { tag } = await build('ml-train', dir, { BASE_IMAGE });
    const run = await engine.runContainer({ image: tag, name: `mllab-enginetest-snippet-train-${RUN}`, ports: [], mounts: [], env: { EPOCHS: '2' }, labels: { [TEST_LABEL]: RUN }, bindAddress: '127.0.0.1' });
    assert.equal((await engine.waitContainer(run.id)).exitCode, 0);
    let logs = '';
    await engine.logs(run.id, (t) => (logs += t), { follow: false });
    assert.match(logs, /epoch 2\/2 loss/);
  });

  it('ml-flask builds and its image exposes the port the snippet names', async () => {
    const { dir } = context('ml-flask', [
      ['flask-app/requirements.txt', 'requirements.txt'],
      ['flask-app/app.py', 'app.py'],
    ]);
    const { tag } = await build('ml-flask', dir);
    const image = await engine.inspectImage(tag);
    assert.deepEqual(Object.keys(image.exposedPorts), ['5000/tcp']);
    assert.equal(image.user, 'app');
  });

  it('ml-multistage builds both stages and the runtime image has the builder\'s venv', async () => {
    // The builder stage installs requirements into a fresh venv: with no registry reachable, the
    // requirements file names nothing to download.
    const { dir, text } = context('ml-multistage', [['flask-app/app.py', 'app.py']], { 'requirements.txt': '# nothing to install offline\n' });
    assert.match(text, /AS builder[\s\S]*COPY --from=builder \/opt\/venv \/opt\/venv/, 'two stages, the runtime copying the venv');
    const { tag } = await build('ml-multistage', dir);
    const r = await engine.runContainer({ image: tag, name: `mllab-enginetest-snippet-ms-${RUN}`, cmd: ['sh', '-c', 'test -x /opt/venv/bin/python && echo venv-ok'], ports: [], mounts: [], labels: { [TEST_LABEL]: RUN }, bindAddress: '127.0.0.1' });
    assert.equal((await engine.waitContainer(r.id)).exitCode, 0);
    let logs = '';
    await engine.logs(r.id, (t) => (logs += t), { follow: false });
    assert.match(logs, /venv-ok/);
  });
});
