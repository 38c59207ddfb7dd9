/**
 * Engine tier: a debug run of the iris lab's profile on the real engine. The profile's command
 * is wrapped under debugpy (checked in the create options the engine stored), the debug port is
 * published on 127.0.0.1 only on a host port the engine picked, debugpy listens inside
 * (/proc/net/tcp) and answers a Debug Adapter Protocol `initialize` on the published port; the
 * derived path mappings name folders that hold the workspace's train.py in the container.
 * Needs a base image with debugpy (scripts/setup/base-images.sh installs python3-debugpy).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { parseProfiles, toRunRequest } from '../../src/core/run/profile';
import { toCreateOptions } from '../../src/core/run/createOptions';
import { DEBUG_PORT_LABEL, debugRunRequest, debugpyCommand, effectiveCommand } from '../../src/core/debug/command';
import { derivePathMappings } from '../../src/core/debug/pathMappings';
import { listensOn } from '../../src/core/debug/ports';
import { BASE_IMAGE, TEST_LABEL, cleanup, copyLab, runId, testEngine, waitFor, writableFolder } from '../support/fixtures';

const RUN = runId('debug');
const tag = `mllab-debugtest/iris:${RUN}`;
const name = `mllab-debugtest-${RUN}`;

/** Sends a DAP `initialize` request to host:port and resolves with the response's `success` and capabilities. */
function dapInitialize(port: number): Promise<{ success: boolean; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const json = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'mlLab', clientID: 'engine-test', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true } });
    let buf = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error('no DAP response within 15 s'))), 15_000);
    s.on('connect', () => s.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`));
    s.on('data', (d) => {
      buf += d.toString('utf8');
      for (;;) {
        const m = /Content-Length: (\d+)\r\n\r\n/.exec(buf);
        if (!m) return;
        const start = m.index + m[0].length;
        if (buf.length < start + Number(m[1])) return;
        const msg = JSON.parse(buf.slice(start, start + Number(m[1]))) as { type: string; command?: string; success: boolean; body?: Record<string, unknown> };
        buf = buf.slice(start + Number(m[1]));
        if (msg.type === 'response' && msg.command === 'initialize') {
          clearTimeout(timer);
          s.destroy();
          resolve({ success: msg.success, body: msg.body ?? {} });
          return;
        }
      }
    });
    s.on('error', (e) => (clearTimeout(timer), reject(e)));
  });
}

describe('a debug run of the iris profile on the real engine', () => {
  let engine: Engine;
  before(async () => {
    engine = testEngine();
    await engine.ping();
  });
  after(() => cleanup(engine, RUN, [tag]));

  it('wraps the command under debugpy, publishes the debug port on 127.0.0.1 only, and debugpy answers there', async () => {
    const lab = copyLab('iris-train');
    writableFolder(path.join(lab, 'artifacts'));
    mkdirSync(path.join(lab, '.vscode'), { recursive: true });
    writeFileSync(path.join(lab, '.vscode', 'mllab.yaml'), [
      'version: 1', 'profiles:', '  train:',
      `    build: { dockerfile: train.dockerfile, tag: "${tag}", args: { BASE_IMAGE: "${BASE_IMAGE}" } }`,
      '    run:', `      name: ${name}`, '      volumes: ["./artifacts:/usr/local/app/artifacts"]',
      '      env: { EPOCHS: "2" }', `      labels: { ${TEST_LABEL}: ${RUN} }`,
      // a profile's own binding of the debug port is replaced by the loopback one
      '      ports: ["0.0.0.0:5678:5678"]', '',
    ].join('\n'));
    const { profiles, errors } = parseProfiles(readFileSync(path.join(lab, '.vscode', 'mllab.yaml'), 'utf8'), { workspaceFolder: lab });
    assert.deepEqual(errors, []);
    const profile = profiles[0];
    const b = profile.build!;
    await engine.build({ contextDir: b.context, dockerfile: b.dockerfile, tag: b.tag, buildArgs: b.args, labels: { [TEST_LABEL]: RUN } }, () => undefined);
    const image = await engine.inspectImage(tag);
    const argv = debugpyCommand(effectiveCommand(profile.run, image), 5678);
    const req = debugRunRequest(toRunRequest(profile, { bindAddress: '0.0.0.0' }), argv, 5678, '127.0.0.1');

    const body = toCreateOptions(req) as { Entrypoint: string[]; Cmd: string[]; HostConfig: { PortBindings: Record<string, unknown> } };
    assert.deepEqual([...body.Entrypoint, ...body.Cmd], ['python', '-m', 'debugpy', '--listen', '0.0.0.0:5678', '--wait-for-client', 'train.py']);
    assert.deepEqual(body.HostConfig.PortBindings, { '5678/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });

    const { id } = await engine.runContainer(req);
    const inspected = (await engine.inspectContainer(id)) as { Config: { Entrypoint: string[]; Cmd: string[]; Labels: Record<string, string> }; HostConfig: { PortBindings: Record<string, Array<{ HostIp: string }>> } };
    assert.deepEqual(inspected.Config.Entrypoint, ['python']);
    assert.deepEqual(inspected.Config.Cmd.slice(0, 5), ['-m', 'debugpy', '--listen', '0.0.0.0:5678', '--wait-for-client']);
    assert.equal(inspected.Config.Labels[DEBUG_PORT_LABEL], '5678');
    assert.deepEqual(inspected.HostConfig.PortBindings['5678/tcp'].map((p) => p.HostIp), ['127.0.0.1']);

    await waitFor('debugpy to listen in the container', async () => {
      const r = await engine.execCollect(id, ['cat', '/proc/net/tcp', '/proc/net/tcp6']);
      return listensOn(r.output, 5678) || undefined;
    }, 60_000, 150);
    const published = (await engine.listContainers()).find((c) => c.id === id)!.ports.find((p) => p.containerPort === 5678)!;
    assert.equal(published.hostIp, '127.0.0.1');
    assert.ok(published.hostPort && published.hostPort !== 5678, `the engine picked the host port (${published.hostPort})`);
    const init = await dapInitialize(published.hostPort);
    assert.equal(init.success, true, 'debugpy answers the DAP initialize on the published port');
    assert.notEqual(init.body.supportsRestartRequest, true, 'debugpy has no DAP restart: VS Code restarts by resolving the configuration again');
    // --wait-for-client: the script has not started yet
    let logs = '';
    await engine.logs(id, (t) => (logs += t), { follow: false });
    assert.doesNotMatch(logs, /epoch 1/);
  });

  it('the derived path mappings name container folders holding the workspace files', async () => {
    const lab = copyLab('iris-train');
    const mappings = derivePathMappings({
      workspace: lab,
      mounts: [{ type: 'bind', source: path.join(lab, 'artifacts'), target: '/usr/local/app/artifacts', readOnly: false }],
      build: { dockerfileText: readFileSync(path.join(lab, 'train.dockerfile'), 'utf8'), context: lab },
      workingDir: '/usr/local/app',
      isDirectory: (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
    });
    assert.deepEqual(mappings, [
      { localRoot: path.join(lab, 'artifacts'), remoteRoot: '/usr/local/app/artifacts' },
      { localRoot: lab, remoteRoot: '/usr/local/app' },
    ]);
    // train.py mapped through the workspace root is where the image has it, byte for byte
    const r = await engine.runToCompletion(tag, ['cat', `${mappings[1].remoteRoot}/train.py`]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(path.join(lab, 'train.py'), 'utf8'));
  });
});
