/**
 * Engine tier: `docker run -it` through the Engine API (Engine.runInteractive): a busybox `sh`
 * with OpenStdin and a TTY, attached; keystrokes typed into it, its answers read back, a resize,
 * Ctrl-C through the TTY, exit codes, and `--rm`. Everything carries org.mllab.test=<run id>.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AttachedRun } from '../../src/engine/engine';
import type { RunRequest } from '../../src/core/run/createOptions';
import { TEST_LABEL, cleanup, runId, testEngine, waitFor } from '../support/fixtures';

const RUN = runId('interactive');
const BUSYBOX = 'mllab-test/busybox:1';
const engine = testEngine();

function request(name: string, over: Partial<RunRequest> = {}): RunRequest {
  return {
    image: BUSYBOX,
    name: `mllab-it-${name}-${RUN}`,
    cmd: ['sh'],
    ports: [],
    mounts: [],
    bindAddress: '127.0.0.1',
    labels: { [TEST_LABEL]: RUN },
    interactive: true,
    detach: false,
    ...over,
  };
}

/** Collects everything the container's TTY prints. */
function transcript(run: AttachedRun): { text: () => string; waitFor: (re: RegExp, what: string) => Promise<string> } {
  let out = '';
  run.onData((t) => (out += t));
  return {
    text: () => out,
    waitFor: (re, what) => waitFor(what, async () => re.exec(out)?.[0], 15_000, 50),
  };
}

describe('interactive runs (docker run -it) through the Engine API', { timeout: 120_000 }, () => {
  after(() => cleanup(engine, RUN, []));

  it('creates the container with OpenStdin, StdinOnce, Tty and every stream attached', async () => {
    const run = await engine.runInteractive(request('flags'));
    const config = (await engine.inspectContainer(run.id)).Config as Record<string, unknown>;
    assert.deepEqual(
      { OpenStdin: config.OpenStdin, StdinOnce: config.StdinOnce, Tty: config.Tty, AttachStdin: config.AttachStdin, AttachStdout: config.AttachStdout, AttachStderr: config.AttachStderr },
      { OpenStdin: true, StdinOnce: true, Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true },
    );
    run.write('exit 0\r');
    assert.equal(await run.exited, 0);
  });

  it('takes typed keystrokes and answers in the terminal output; exit ends the container with its code', async () => {
    const run = await engine.runInteractive(request('echo'));
    const out = transcript(run);
    run.write('echo hi-$((6*7))\r');
    // The TTY echoes the typed line (with the unexpanded $((6*7))); only the shell's answer says hi-42.
    await out.waitFor(/hi-42/, 'the shell to print hi-42');
    assert.match(out.text(), /echo hi-\$\(\(6\*7\)\)/, 'the TTY echoed what was typed');
    run.write('exit 7\r');
    assert.equal(await run.exited, 7);
    const state = (await engine.inspectContainer(run.id)).State as { Running: boolean; ExitCode: number };
    assert.equal(state.Running, false);
    assert.equal(state.ExitCode, 7);
  });

  it('resizes the TTY (POST /containers/{id}/resize): stty inside sees the new rows and columns', async () => {
    const run = await engine.runInteractive(request('resize'));
    const out = transcript(run);
    run.resize(123, 45);
    await waitFor('the resize to reach the TTY', async () => {
      run.write('stty size\r');
      return /45 123/.test(out.text()) ? true : (await new Promise((r) => setTimeout(r, 200)), undefined);
    }, 15_000, 10);
    run.write('exit\r');
    assert.equal(await run.exited, 0);
  });

  it('passes Ctrl-C through the TTY: it interrupts the foreground program, not the shell', async () => {
    const run = await engine.runInteractive(request('ctrlc'));
    const out = transcript(run);
    run.write('sleep 600\r');
    await out.waitFor(/sleep 600/, 'the typed line to echo');
    await new Promise((r) => setTimeout(r, 300)); // let sleep start
    run.write('\x03');
    // The TTY turns \x03 into SIGINT for sleep, which dies of it (status 128+2); the shell survives and answers.
    run.write('echo status-$?-$((1+1))\r');
    await out.waitFor(/status-130-2/, 'the shell to answer after Ctrl-C');
    run.write('exit 0\r');
    assert.equal(await run.exited, 0);
  });

  it('removes the container when it exits with --rm (AutoRemove), and still reports the exit code', async () => {
    const run = await engine.runInteractive(request('rm', { autoRemove: true }));
    const out = transcript(run);
    run.write('echo rm-$((2*3))\r');
    await out.waitFor(/rm-6/, 'the shell to answer');
    run.write('exit 3\r');
    assert.equal(await run.exited, 3);
    await waitFor('the container to be removed', async () => ((await engine.listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).some((c) => c.id === run.id) ? undefined : true), 15_000, 100);
  });

  it('ends the shell when the terminal closes (hang-up)', async () => {
    const run = await engine.runInteractive(request('close'));
    const out = transcript(run);
    run.write('echo ready\r');
    await out.waitFor(/ready\r\n/, 'the shell to answer');
    run.close();
    const code = await run.exited;
    assert.notEqual(code, undefined, 'the wait reports an exit code');
    const state = (await engine.inspectContainer(run.id)).State as { Running: boolean };
    assert.equal(state.Running, false);
  });

  it('passes the command and its arguments word by word: "hello " keeps its space', async () => {
    const run = await engine.runInteractive(request('args', { cmd: ['sh', '-c', 'printf "[%s]" "$@"', 'sh', 'hello ', '3'] }));
    const out = transcript(run);
    assert.equal(await run.exited, 0);
    await out.waitFor(/\[hello \]\[3\]/, 'printf to print both arguments');
  });
});
