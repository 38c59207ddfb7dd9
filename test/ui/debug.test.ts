/**
 * Debugging the training script in its container, as a person does it in the workbench (the
 * iris lab, a local engine): a breakpoint on a line of train.py inside the epoch loop,
 * "ML Lab: Debug Profile..." on the train profile; the session stops on that line, the
 * Variables view shows the loop variable `epoch` = 1, Step Over moves one line, Continue runs to
 * the end: the container exits 0 and metrics.json lands in the workspace. F5 runs it again (the
 * time from F5 to paused is printed). An image without debugpy says so and its quick fix adds
 * the line to the Dockerfile.
 *
 * The base image needs python3-debugpy (scripts/setup/base-images.sh installs it); set
 * MLLAB_BASE_IMAGE to use another.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanupDocker, docker, runId, sleep, waitFor, workbenchScenario } from './support/workbench';
import { debugUi } from './support/debugUi';

const baseImage = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
const tag = `mllab-ui-test/iris-debug:${runId}`;
const noDebugTag = `mllab-ui-test/iris-nodebugpy:${runId}`;
const name = `mllab-ui-debug-${runId}`;
const noDebugName = `mllab-ui-nodebug-${runId}`;

const { wb, step } = workbenchScenario({
  name: 'debug', lab: 'iris-train',
  userSettings: { 'terminal.integrated.gpuAcceleration': 'off' },
  prepare: (ws) => {
    writeFileSync(join(ws, 'nodebugpy.dockerfile'), [
      `FROM ${baseImage}`,
      '# an image without debugpy: what most images are',
      'RUN rm -rf /usr/lib/python3/dist-packages/debugpy',
      'WORKDIR /usr/local/app',
      'COPY train.py ./',
      'CMD ["python", "train.py"]', '',
    ].join('\n'));
    writeFileSync(join(ws, '.vscode', 'mllab.yaml'), [
      'version: 1', 'profiles:',
      '  train:',
      `    build: { dockerfile: train.dockerfile, tag: "${tag}", args: { BASE_IMAGE: "${baseImage}" } }`,
      '    run:',
      `      name: ${name}`,
      '      volumes: ["./artifacts:/usr/local/app/artifacts"]',
      '      env: { EPOCHS: "3" }',
      '  nodebug:',
      `    build: { dockerfile: nodebugpy.dockerfile, tag: "${noDebugTag}" }`,
      `    run: { name: ${noDebugName}, rm: true }`, '',
    ].join('\n'));
    // the image runs as uid 1000: its artifacts folder must be writable for it
    mkdirSync(join(ws, 'artifacts'));
    chmodSync(join(ws, 'artifacts'), 0o777);
  },
});

after(() => cleanupDocker({ containerNames: [name, noDebugName], images: [tag, noDebugTag] }));

const trainLines = () => readFileSync(join(wb().workspace, 'train.py'), 'utf8').split('\n');

void test('Debug Profile: stops on the breakpoint in the epoch loop, shows epoch = 1, steps one line, continues to exit 0 with metrics.json', { timeout: 400_000 }, () => step(async () => {
  const w = wb();
  const ui = debugUi(w);
  const lines = trainLines();
  const bpLine = lines.findIndex((l) => l.includes('order = rng.permutation(len(x_train))')) + 1;
  assert.ok(bpLine > 0 && /for epoch in range/.test(lines[bpLine - 2]), 'the breakpoint line is the first line of the epoch loop');
  await w.openFile('train.py');
  await ui.toggleBreakpoint(bpLine);

  await w.runCommand('ML Lab: Debug Profile...');
  await w.pickQuickInputItem('train');
  const paused = await ui.waitForPause(360_000);
  assert.equal(paused.file, 'train.py');
  assert.equal(paused.line, bpLine, `paused on the breakpoint line ${bpLine}`);
  const vars = await ui.variables();
  assert.equal(vars.get('epoch'), '1', `the loop variable in the Variables view: ${[...vars].map(([k, v]) => `${k}=${v}`).join(', ')}`);
  assert.equal(vars.get('EPOCHS'), undefined, 'Locals, not Globals');
  const shot = await w.screenshot('debug-paused-variables');
  console.log(`[debug] screenshot of the paused session: ${shot}`);

  await ui.stepOver();
  const stepped = await ui.waitForPause(30_000, (p) => p.line !== bpLine);
  assert.equal(stepped.line, bpLine + 1, 'Step Over moves one line');

  await ui.toggleBreakpoint(bpLine, false);
  await ui.continue();
  await waitFor('the debug session to end', async () => !(await ui.sessionActive()), 60_000);
  const exit = await waitFor(`${name} to exit`, () => {
    const s = docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name], true);
    return s.startsWith('exited') ? s : undefined;
  }, 60_000);
  assert.equal(exit, 'exited 0');
  const metrics = join(w.workspace, 'artifacts', 'metrics.json');
  assert.ok(existsSync(metrics), 'metrics.json lands in the workspace');
  assert.equal(JSON.parse(readFileSync(metrics, 'utf8')).epochs, 3);
  const launch = JSON.parse(readFileSync(join(w.workspace, '.vscode', 'launch.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { configurations: Array<Record<string, unknown>> };
  assert.deepEqual(launch.configurations.find((c) => c.type === 'mlLab'), { type: 'mlLab', request: 'launch', name: 'ML Lab: Debug train', profile: 'train' });
  const debugLabel = docker(['inspect', '--format', '{{index .Config.Labels "org.mllab.debug-port"}} {{json .HostConfig.PortBindings}}', name]);
  assert.match(debugLabel, /^5678 \{"5678\/tcp":\[\{"HostIp":"127\.0\.0\.1","HostPort":""\}\]\}$/, 'the debug port is published on 127.0.0.1 only');
}));

void test('F5 runs the launch configuration again and stops on the breakpoint (time from F5 to paused)', { timeout: 300_000 }, () => step(async () => {
  const w = wb();
  const ui = debugUi(w);
  const bpLine = trainLines().findIndex((l) => l.includes('order = rng.permutation(len(x_train))')) + 1;
  await w.openFile('train.py');
  await ui.toggleBreakpoint(bpLine);
  await w.page.keyboard.press('Escape');
  const t0 = Date.now();
  await w.page.keyboard.press('F5');
  const paused = await ui.waitForPause(240_000);
  const ms = Date.now() - t0;
  console.log(`[debug] F5 to paused on the breakpoint: ${ms} ms (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  assert.equal(paused.line, bpLine);
  // Stop: the session ends and the container is stopped
  await ui.stop();
  await waitFor(`${name} to be stopped after Stop`, () => docker(['inspect', '--format', '{{.State.Status}}', name], true) === 'exited', 30_000);
  await waitFor('the debug session to end', async () => !(await ui.sessionActive()), 30_000);
}));

void test('an image without debugpy: the message says so and its quick fix adds debugpy to the Dockerfile', { timeout: 300_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Debug Profile...');
  await w.pickQuickInputItem('nodebug');
  const message = await w.confirmDialog('Add debugpy to nodebugpy.dockerfile', 240_000);
  assert.match(message, new RegExp(`The image ${noDebugTag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has no debugpy, so profile nodebug cannot run under the debugger`));
  const file = join(w.workspace, 'nodebugpy.dockerfile');
  await waitFor('the Dockerfile to get the debugpy line', () => readFileSync(file, 'utf8').includes('RUN pip install --no-cache-dir debugpy'), 15_000);
  const text = readFileSync(file, 'utf8').split('\n');
  assert.ok(text.indexOf('RUN pip install --no-cache-dir debugpy') > text.indexOf('COPY train.py ./'), `the line is added at the end of the stage: ${text.join(' | ')}`);
  await sleep(300);
  assert.equal(docker(['ps', '-aq', '--filter', `name=${noDebugName}`], true), '', 'no debug run was started');
}));
