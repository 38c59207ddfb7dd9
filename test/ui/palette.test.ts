/**
 * Palette scenario: a person builds the flask lab's image and runs it with a port
 * binding, only through the command palette, and sees both in the sidebar; the app answers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createConnection } from 'node:net';
import { Workbench, cleanupDocker, docker, runId, sleep, testLabel, waitFor } from './support/workbench';

const hostPort = 4000;
const repository = 'mllab-ui-test/flask-app';
const tag = `${repository}:${runId}`;
let wb: Workbench | undefined;
let failed = false;
let built = false;

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Names of the containers this scenario started: the test label and the test image. */
function ourContainers(): string[] {
  return docker(['ps', '-a', '--filter', `label=${testLabel.key}=${testLabel.value}`, '--filter', `ancestor=${tag}`, '--format', '{{.Names}}'], true)
    .split('\n').filter(Boolean);
}

before(async () => {
  assert.equal(await portInUse(hostPort), false, `127.0.0.1:${hostPort} is already in use: stop whatever listens there first`);
  wb = await Workbench.start({ name: 'palette', lab: 'flask-app' });
});

after(async () => {
  if (wb) {
    if (failed) await wb.saveFailure();
    await wb.stop();
  }
  cleanupDocker({ containerNames: ourContainers(), images: [tag] });
});

/** Runs a step; on failure remembers it so after() saves the screenshot and logs. */
async function step<T>(fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { failed = true; throw e; }
}

void test('builds the lab image from the palette and the Images view shows its tag', { timeout: 300_000 }, () => step(async () => {
  const w = wb!;
  await w.runCommand('ML Lab: Build Image...');
  let prompt = await w.readQuickInput();
  if (prompt.items.length > 0) {
    // More than one Dockerfile in the workspace: pick the lab's own.
    const dockerfile = prompt.items.find((i) => /^(Dockerfile|train\.dockerfile)$/.test(i.trim()));
    assert.ok(dockerfile, `the Dockerfile pick offers no Dockerfile: ${prompt.items.join(', ')}`);
    await w.pickQuickInputItem(dockerfile);
    prompt = await w.readQuickInput();
  }
  assert.notEqual(prompt.value, '', 'the tag input box is prefilled with a suggestion');
  await w.answerQuickInput(tag);
  // The build runs with the local base image (mlLab.build.args in the workspace settings).
  // Images are grouped by repository: the tag is a row under its repository's row.
  const row = await w.findTreeRow('Images', [repository, runId], 240_000);
  assert.ok(row);
  assert.ok(docker(['image', 'inspect', '--format', '{{.Id}}', tag], true), `the engine has ${tag}`);
  built = true;
  await w.screenshot('palette-image-built');
}));

void test('runs the image with 4000:8080 from the palette, the Containers view shows the binding and the app answers', { timeout: 180_000 }, () => step(async () => {
  const w = wb!;
  assert.ok(built, 'the image from the build step is needed (that step failed)');
  await w.runCommand('ML Lab: Run Container...');
  await w.pickQuickInputItem(tag);
  // Ports and volumes are answered; any other prompt is accepted as offered.
  const asked = await w.answerRunPrompts({ ports: `${hostPort}:8080`, mounts: '' });
  assert.ok(asked.includes('ports'), `the run asks for port bindings; it asked: ${asked.join(', ')}`);
  assert.ok(asked.includes('volumes'), `the run asks for volume mounts; it asked: ${asked.join(', ')}`);
  assert.ok(asked.indexOf('ports') < asked.indexOf('volumes'), `ports come before volumes: ${asked.join(', ')}`);

  const name = await waitFor('the engine to list the new container', () => ourContainers()[0], 60_000);
  const row = await w.findTreeRow('Containers', name, 60_000);
  const description = await waitFor(`the row of ${name} to show its port binding`,
    async () => { const d = await w.rowDescription(row); return d.includes(`127.0.0.1:${hostPort}->8080/tcp`) ? d : undefined; }, 30_000);
  assert.match(description, /Up /, `the container is running: ${description}`);

  const body = await waitFor(`http://127.0.0.1:${hostPort}/ to answer`, async () => {
    const res = await fetch(`http://127.0.0.1:${hostPort}/`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? await res.text() : undefined;
  }, 60_000, 500);
  assert.match(body, /Welcome to the ML Container Lab/, `the flask app's welcome text, got: ${body.slice(0, 200)}`);
  await sleep(500);
  await w.screenshot('palette-container-running');
}));
