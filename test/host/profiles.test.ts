/**
 * Host tier: run profiles in a real extension host — run from the command and from the task
 * list, errors with positions, save keeping comments, copy as docker command. The workspace is a
 * temp copy of the iris lab; everything on the engine carries org.mllab.test=<run>.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BASE_IMAGE, TEST_LABEL, cleanup, runId, testEngine, waitFor } from '../support/fixtures';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const RUN = runId('hostp');
const tag = `mllab-hosttest/profile-iris:${RUN}`;

function profilesYaml(): string {
  return `# Lab 3 profiles: keep this comment
version: 1
profiles:
  train:
    description: Train the iris classifier
    build:
      dockerfile: train.dockerfile
      tag: ${tag}
      args: { BASE_IMAGE: ${BASE_IMAGE} }
    run:
      name: mllab-hosttest-train-${RUN}
      volumes: ["./artifacts-${RUN}:/usr/local/app/artifacts"]
      env: { EPOCHS: "3" }
      shmSize: 256m
      labels: { ${TEST_LABEL}: ${RUN} }
  again:
    image: ${tag}
    run:
      name: mllab-hosttest-again-${RUN}
      command: ["python", "-c", "print('task says hi')"]
      labels: { ${TEST_LABEL}: ${RUN} }
  broken:
    image: ${tag}
    run:
      ports: ["80:abc"]
      shmsize: 2g
`;
}

describe('run profiles in a real extension host', () => {
  let folder: string;
  let file: string;
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    file = path.join(folder, '.vscode', 'mllab.yaml');
    writeFileSync(file, profilesYaml());
  });
  after(async () => {
    await cleanup(testEngine(), RUN, [tag]);
    rmSync(file, { force: true });
    rmSync(path.join(folder, `artifacts-${RUN}`), { recursive: true, force: true });
  });

  it('reports every error of a broken profile at its line and column, and does not run it', async () => {
    const uri = vscode.Uri.file(file);
    const diags = await waitFor('profile diagnostics', async () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length >= 2 ? d : undefined;
    });
    const port = diags.find((d) => /abc/.test(d.message));
    assert.ok(port, diags.map((d) => d.message).join('\n'));
    assert.equal(port.range.start.line, 24, 'the ports entry of profile broken (0-based line)');
    assert.match(port.message, /Expected: .*4000:8080/);
    const unknown = diags.find((d) => /shmsize/.test(d.message));
    assert.match(unknown?.message ?? '', /shmSize/, 'suggests the right spelling');
    const result = await vscode.commands.executeCommand('mlLab.profile.run', { profile: 'broken' });
    assert.equal(result, undefined);
    assert.equal((await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).length, 0);
  });

  it('runs a profile by name: builds its image, runs it with the bind mount, env and shm size', async () => {
    const run = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', {
      profile: 'train',
      createMissingFolders: true,
      showLogs: false,
    });
    assert.ok(run, 'the profile ran (see the log for its error)');
    assert.equal(run.name, `mllab-hosttest-train-${RUN}`);
    const { exitCode } = await testEngine().waitContainer(run.id);
    assert.equal(exitCode, 0);
    const inspect = (await testEngine().inspectContainer(run.id)) as { Config: { Env: string[] }; HostConfig: { ShmSize: number } };
    assert.equal(inspect.HostConfig.ShmSize, 256 * 1024 * 1024);
    assert.ok(inspect.Config.Env.includes('EPOCHS=3'));
    const metrics = path.join(folder, `artifacts-${RUN}`, 'metrics.json');
    assert.ok(existsSync(metrics), 'metrics.json written through the bind mount');
  });

  it('lists every valid profile as an mllab task, and a task runs its profile to the container exit code', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'mllab' });
    assert.deepEqual(tasks.map((t) => t.name).sort(), ['again', 'train']);
    const task = tasks.find((t) => t.name === 'again')!;
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name === 'again') {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 0);
    const c = (await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).find((x) => x.name === `mllab-hosttest-again-${RUN}`);
    assert.ok(c);
    let logs = '';
    await testEngine().logs(c.id, (t) => (logs += t), { follow: false });
    assert.match(logs, /task says hi/);
  });

  it('copies a profile as the docker build and docker run commands', async () => {
    const text = await vscode.commands.executeCommand<string>('mlLab.profile.copyCommand', 'train');
    const [build, run] = text.split('\n');
    assert.match(build, new RegExp(`^docker build -f train\\.dockerfile -t ${tag.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} --build-arg BASE_IMAGE=`));
    assert.match(run, /^docker run -d --name mllab-hosttest-train-.* --shm-size 256m/);
    assert.match(run, /-e EPOCHS=3/);
  });

  it('saves a run as a profile, keeping the file\'s comments and the other profiles', async () => {
    const name = await vscode.commands.executeCommand<string>('mlLab.profile.save', {
      name: 'serve',
      input: { image: 'flask-app:v1', run: { ports: ['4000:8080'], env: { FLASK_DEBUG: '0' } } },
    });
    assert.equal(name, 'serve');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# Lab 3 profiles: keep this comment/);
    assert.match(text, /\n {2}serve:\n {4}image: flask-app:v1\n/);
    assert.match(text, /\n {2}train:\n/);
    const tasks = await waitFor('the saved profile as a task', async () => {
      const t = await vscode.tasks.fetchTasks({ type: 'mllab' });
      return t.some((x) => x.name === 'serve') ? t : undefined;
    });
    assert.ok(tasks.some((t) => t.name === 'serve'));
  });

  it('a profile\'s upload goes into the container before it starts and its download comes back after the exit, with --rm honoured after it', async () => {
    const input = path.join(folder, `in-${RUN}`);
    const out = path.join(folder, `out-${RUN}`);
    mkdirSync(input);
    writeFileSync(path.join(input, 'rows.csv'), 'a\nb\nc\n');
    writeFileSync(file, `${readFileSync(file, 'utf8')}  copies:
    image: ${tag}
    run:
      name: mllab-hosttest-copies-${RUN}
      command: ["sh", "-c", "mkdir -p /tmp/out && wc -l < /tmp/in/rows.csv > /tmp/out/count.txt"]
      upload: ["./in-${RUN}:/tmp/in"]
      download: ["/tmp/out:./out-${RUN}"]
      rm: true
      labels: { ${TEST_LABEL}: ${RUN} }
`);
    try {
      await waitFor('the copies profile', async () => ((await vscode.tasks.fetchTasks({ type: 'mllab' })).some((t) => t.name === 'copies') ? true : undefined));
      const run = await vscode.commands.executeCommand<{ id: string; name: string }>('mlLab.profile.run', { profile: 'copies', showLogs: false });
      assert.ok(run, 'the profile ran (see the log for its error)');
      const count = path.join(out, 'count.txt');
      await waitFor('out/count.txt downloaded after the exit', async () => (existsSync(count) ? true : undefined), 60_000);
      assert.equal(readFileSync(count, 'utf8').trim(), '3', 'the container read the uploaded rows.csv');
      // rm: true, kept until the download was done, then removed.
      await waitFor('the container removed after the download', async () => ((await testEngine().listContainers({ label: [`${TEST_LABEL}=${RUN}`] })).some((c) => c.id === run.id) ? undefined : true), 30_000);
    } finally {
      rmSync(input, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});
