import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROFILE_FIELDS, Profile, ProfileError, parseEnvFile, parseProfiles, splitCommand, suggestField, toRunRequest } from '../../../src/core/run/profile';
import { toCreateOptions } from '../../../src/core/run/createOptions';
import { UserError } from '../../../src/core/errors';

const WS = '/w/iris';
const GiB = 1024 ** 3;

/** A file with one profile "p" whose run section holds `runYaml` (indented 6 spaces). */
function withRun(runYaml: string, head = '    image: iris-train:v1\n'): string {
  const body = runYaml
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  return `version: 1\nprofiles:\n  p:\n${head}    run:\n${body}\n`;
}

function only(text: string): Profile {
  const { profiles, errors } = parseProfiles(text, { workspaceFolder: WS });
  assert.deepEqual(errors, []);
  assert.equal(profiles.length, 1);
  return profiles[0];
}

const runCases: Array<{ name: string; input: string; expected: Partial<Profile['run']> }> = [
  { name: 'defaults: detached, not removed, no ports, mounts, env or labels', input: 'name: iris-train', expected: { name: 'iris-train', detach: true, autoRemove: false, ports: [], mounts: [], env: {}, labels: {}, envFiles: [] } },
  { name: 'reads command as a list', input: 'command: ["python", "train.py", "--epochs", "20"]', expected: { cmd: ['python', 'train.py', '--epochs', '20'] } },
  { name: 'reads command as a string split like a shell', input: `command: python train.py --note "first run"`, expected: { cmd: ['python', 'train.py', '--note', 'first run'] } },
  { name: 'turns numbers in a command list into words', input: 'command: [python, train.py, --epochs, 20]', expected: { cmd: ['python', 'train.py', '--epochs', '20'] } },
  { name: 'reads entrypoint', input: 'entrypoint: ["python", "-u"]', expected: { entrypoint: ['python', '-u'] } },
  { name: 'reads an empty entrypoint as clearing it', input: 'entrypoint: ""', expected: { entrypoint: [''] } },
  { name: 'reads workdir', input: 'workdir: /usr/local/app', expected: { workingDir: '/usr/local/app' } },
  { name: 'reads user uid:gid', input: 'user: "1000:1000"', expected: { user: '1000:1000' } },
  { name: 'reads a numeric user', input: 'user: 1000', expected: { user: '1000' } },
  { name: 'reads ports with the existing -p parser', input: 'ports: ["4000:8080", 6006]', expected: { ports: [{ hostPort: 4000, containerPort: 8080, protocol: 'tcp' }, { containerPort: 6006, protocol: 'tcp' }] } },
  {
    name: 'resolves ./ volumes against the workspace folder and keeps named volumes',
    input: 'volumes: ["./artifacts:/usr/local/app/artifacts", "datasets:/data:ro"]',
    expected: {
      mounts: [
        { type: 'bind', source: '/w/iris/artifacts', target: '/usr/local/app/artifacts', readOnly: false },
        { type: 'volume', source: 'datasets', target: '/data', readOnly: true },
      ],
    },
  },
  { name: 'reads env, turning numbers into text', input: 'env: { EPOCHS: 20, LR: "0.01" }', expected: { env: { EPOCHS: '20', LR: '0.01' } } },
  { name: 'resolves envFiles against the workspace folder', input: 'envFiles: [".env", /etc/lab.env]', expected: { envFiles: ['/w/iris/.env', '/etc/lab.env'] } },
  { name: 'reads gpus all', input: 'gpus: all', expected: { gpus: { kind: 'all' } } },
  { name: 'reads a gpu count', input: 'gpus: 2', expected: { gpus: { kind: 'count', count: 2 } } },
  { name: 'reads gpu device ids', input: 'gpus: "device=0,1"', expected: { gpus: { kind: 'devices', deviceIds: ['0', '1'] } } },
  { name: 'reads shmSize in bytes', input: 'shmSize: 2g', expected: { shmSize: 2 * GiB } },
  { name: 'reads ipc', input: 'ipc: host', expected: { ipcMode: 'host' } },
  { name: 'reads memory in bytes', input: 'memory: 8g', expected: { memory: 8 * GiB } },
  { name: 'reads cpus as NanoCpus', input: 'cpus: 1.5', expected: { nanoCpus: 1_500_000_000 } },
  { name: 'reads network', input: 'network: bridge', expected: { network: 'bridge' } },
  { name: 'reads rm', input: 'rm: true', expected: { autoRemove: true } },
  { name: 'reads detach false as interactive', input: 'detach: false', expected: { detach: false, interactive: true } },
  { name: 'defaults to detached and not interactive', input: 'rm: false', expected: { detach: true, interactive: false } },
  { name: 'reads interactive true as an attached -it run', input: 'interactive: true', expected: { detach: false, interactive: true } },
  { name: 'reads tty true as an attached -it run', input: 'tty: true', expected: { detach: false, interactive: true } },
  { name: 'reads interactive and tty together', input: 'interactive: true\ntty: true', expected: { detach: false, interactive: true } },
  { name: 'reads tty with a shell command', input: 'tty: true\ncommand: ["bash"]', expected: { cmd: ['bash'], interactive: true, detach: false } },
  { name: 'reads interactive with detach true as -dit', input: 'interactive: true\ndetach: true', expected: { detach: true, interactive: true } },
  { name: 'reads interactive false with detach true as -d', input: 'interactive: false\ndetach: true', expected: { detach: true, interactive: false } },
  { name: 'reads labels', input: 'labels: { course: ml101 }', expected: { labels: { course: 'ml101' } } },
  { name: 'reads restart', input: 'restart: on-failure:3', expected: { restart: 'on-failure:3' } },
];
for (const c of runCases) {
  void test(`parseProfiles ${c.name}`, () => {
    const p = only(withRun(c.input));
    for (const [key, value] of Object.entries(c.expected)) assert.deepEqual(p.run[key as keyof Profile['run']], value, key);
  });
}

const IRIS = `# Profiles for the iris lab
version: 1
profiles:
  train:   # the training job
    description: Train the iris model
    build: { dockerfile: train.dockerfile, context: ., tag: iris-train:v1, args: { BASE_IMAGE: python:3.11-slim }, target: runtime, platform: linux/amd64 }
    run:
      name: iris-train
      volumes: ["./artifacts:/usr/local/app/artifacts"]
  serve:
    image: iris-serve:v1
    run: { ports: ["4000:8080"] }
`;

void test('parseProfiles resolves build paths, args, target, platform and runs build.tag', () => {
  const { profiles, errors } = parseProfiles(IRIS, { workspaceFolder: WS });
  assert.deepEqual(errors, []);
  assert.deepEqual(
    profiles.map((p) => p.name),
    ['train', 'serve'],
  );
  const train = profiles[0];
  assert.equal(train.description, 'Train the iris model');
  assert.deepEqual(train.build, {
    dockerfile: '/w/iris/train.dockerfile',
    context: '/w/iris',
    tag: 'iris-train:v1',
    args: { BASE_IMAGE: 'python:3.11-slim' },
    target: 'runtime',
    platform: 'linux/amd64',
  });
  assert.equal(train.image, 'iris-train:v1');
  assert.deepEqual(train.range, { line: 4, column: 3, endLine: 4, endColumn: 8 });
  assert.equal(profiles[1].image, 'iris-serve:v1');
  assert.equal(profiles[1].build, undefined);
});

const buildCases: Array<{ name: string; input: string; expected: Partial<Profile> }> = [
  {
    name: 'defaults the context to the workspace folder and the Dockerfile to <context>/Dockerfile',
    input: '    build: { tag: iris-train:v1 }\n',
    expected: { image: 'iris-train:v1', build: { context: '/w/iris', dockerfile: '/w/iris/Dockerfile', tag: 'iris-train:v1', args: {} } },
  },
  {
    name: 'tags the build with image when build has no tag',
    input: '    image: iris-train:v2\n    build: { context: lab1 }\n',
    expected: { image: 'iris-train:v2', build: { context: '/w/iris/lab1', dockerfile: '/w/iris/lab1/Dockerfile', tag: 'iris-train:v2', args: {} } },
  },
  { name: 'accepts the same tag and image', input: '    image: a:v1\n    build: { tag: a:v1 }\n', expected: { image: 'a:v1' } },
];
for (const c of buildCases) {
  void test(`parseProfiles ${c.name}`, () => {
    const p = only(`version: 1\nprofiles:\n  p:\n${c.input}`);
    for (const [key, value] of Object.entries(c.expected)) assert.deepEqual(p[key as keyof Profile], value, key);
  });
}

const emptyCases: Array<{ name: string; input: string }> = [
  { name: 'gives nothing for an empty file', input: '' },
  { name: 'gives nothing for a file of comments', input: '# profiles go here\n' },
  { name: 'gives nothing for empty profiles', input: 'version: 1\nprofiles:\n' },
  { name: 'accepts a file without version', input: 'profiles: {}\n' },
];
for (const c of emptyCases) {
  void test(`parseProfiles ${c.name}`, () => assert.deepEqual(parseProfiles(c.input, { workspaceFolder: WS }), { profiles: [], errors: [] }));
}

type ErrorCase = { name: string; input: string; expected: Omit<Partial<ProfileError>, 'message'> & { message: RegExp }; keeps?: string[] };
const R = (run: string): string => withRun(run);
/** Run lines start at line 6, column 7. */
const errorCases: ErrorCase[] = [
  {
    name: 'reports an unknown run field with "did you mean"',
    input: R('volume: ["./a:/a"]'),
    expected: { message: /Unknown field "volume" in profiles.p.run; did you mean "volumes"\?/, line: 6, column: 7, endLine: 6, endColumn: 13, path: 'profiles.p.run.volume', expected: 'one of: ' + PROFILE_FIELDS.run.join(', ') },
  },
  { name: 'suggests shmSize for the Compose spelling shm_size', input: R('shm_size: 2g'), expected: { message: /did you mean "shmSize"/, path: 'profiles.p.run.shm_size' } },
  { name: 'suggests a field for a one-letter typo', input: R('comand: [python]'), expected: { message: /did you mean "command"/ } },
  {
    name: 'says where a field belongs when it is in the wrong section',
    input: 'version: 1\nprofiles:\n  p:\n    image: a:v1\n    ports: ["80:80"]\n',
    expected: { message: /Unknown field "ports" in profiles.p; "ports" belongs under run:/, line: 5, column: 5, path: 'profiles.p.ports' },
  },
  { name: 'reports an unknown top-level field', input: 'version: 1\nprofile: {}\n', expected: { message: /Unknown field "profile" in the file; did you mean "profiles"\?/, line: 2, column: 1 } },
  {
    name: 'reports a bad port binding with the -p parser message and its item position',
    input: R('ports: ["4000:8080", "80:abc"]'),
    expected: { message: /"80:abc": container port "abc" is not a number/, line: 6, column: 28, endColumn: 36, path: 'profiles.p.run.ports[1]', expected: 'Published ports (docker run -p): [host-ip:][host-port:]container-port[/protocol]. Without a host IP the port binds to 127.0.0.1 (setting mlLab.run.bindAddress); e.g. ["4000:8080"]' },
  },
  { name: 'reports ports given as a string instead of a list', input: R('ports: "4000:8080"'), expected: { message: /profiles.p.run.ports should be a list, not the text "4000:8080"/, column: 14 } },
  { name: 'reports a bad volume with the -v parser message', input: R('volumes: ["./a:relative"]'), expected: { message: /container path "relative" must be absolute/, path: 'profiles.p.run.volumes[0]' } },
  { name: 'reports a bad volume name', input: R('volumes: ["my data:/data"]'), expected: { message: /volume name "my data"/ } },
  { name: 'reports a bad gpu request', input: R('gpus: 0'), expected: { message: /count of 0 requests no GPU/, path: 'profiles.p.run.gpus', expected: 'GPUs (docker run --gpus): all, a count, or device ids (device=0,1). Needs a GPU runtime such as the NVIDIA Container Toolkit' } },
  { name: 'reports a bad shm size', input: R('shmSize: 2 gigs'), expected: { message: /Size "2 gigs": not a size/, line: 6, column: 16, endColumn: 22 } },
  { name: 'reports a negative memory', input: R('memory: -1g'), expected: { message: /cannot be negative/ } },
  { name: 'reports a memory limit under 6 MB', input: R('memory: 1m'), expected: { message: /below Docker's minimum of 6 MB/ } },
  { name: 'reports bad cpus', input: R('cpus: two'), expected: { message: /CPUs "two": not a number/ } },
  { name: 'reports a bad ipc mode', input: R('ipc: shared'), expected: { message: /"shared" is not valid for profiles.p.run.ipc: write host, private, shareable, none or container:<name>/ } },
  { name: 'reports a bad restart policy', input: R('restart: sometimes'), expected: { message: /"sometimes" is not valid for profiles.p.run.restart: write no, always, unless-stopped, on-failure or on-failure:N/ } },
  { name: 'reports yes as not a boolean (YAML 1.2)', input: R('rm: yes'), expected: { message: /profiles.p.run.rm should be true or false, not the text "yes"/ } },
  { name: 'reports a number where text is expected', input: R('workdir: 5'), expected: { message: /should be text, not the number 5/ } },
  { name: 'reports a relative workdir', input: R('workdir: app'), expected: { message: /"app" is not valid for profiles.p.run.workdir: write an absolute path inside the container/ } },
  { name: 'reports a bad container name', input: R('name: "my run"'), expected: { message: /"my run" is not valid for profiles.p.run.name: use letters, digits, _, . and -/ } },
  { name: 'reports a bad env name', input: R('env: { 1X: a }'), expected: { message: /"1X" is not a valid name in profiles.p.run.env: use letters, digits and _ for a variable name/, path: 'profiles.p.run.env.1X' } },
  { name: 'reports an env value left empty', input: R('env:\n  TOKEN:'), expected: { message: /should be text \(write "" for an empty value\)/, path: 'profiles.p.run.env.TOKEN' } },
  { name: 'reports env given as a list', input: R('env: ["A=1"]'), expected: { message: /profiles.p.run.env should be a mapping, not a list/ } },
  { name: 'reports an unterminated quote in a command string', input: R(`command: python -c 'print(1)`), expected: { message: /single quote at character 11 is not closed/ } },
  { name: 'reports an empty command', input: R('command: ""'), expected: { message: /profiles.p.run.command is empty/ } },
  { name: 'reports rm with a restart policy, at the run key', input: R('rm: true\nrestart: always'), expected: { message: /cannot be combined with restart policy "always"/, line: 5, column: 5, path: 'profiles.p.run' } },
  { name: 'reports ports with network host', input: R('network: host\nports: ["8888:8888"]'), expected: { message: /Ports cannot be published with network "host"/ } },
  { name: 'reports run given as a list', input: 'version: 1\nprofiles:\n  p:\n    image: a:v1\n    run: [a]\n', expected: { message: /profiles.p.run should be a mapping/, line: 5, column: 10 } },
  {
    name: 'reports a profile with neither build nor image at its key',
    input: 'version: 1\nprofiles:\n  lonely:\n    run: { rm: true }\n',
    expected: { message: /profiles.lonely has neither build nor image: give one of them/, line: 3, column: 3, endColumn: 9, path: 'profiles.lonely', expected: 'A run profile: how to build and/or which image to run, and how to run it. Needs build or image; e.g. {"image":"iris-train:v1","run":{"volumes":["./artifacts:/usr/local/app/artifacts"]}}' },
  },
  { name: 'reports a bad image reference', input: 'version: 1\nprofiles:\n  p:\n    image: Iris:v1\n', expected: { message: /Image "Iris:v1": repository "Iris" must be lower-case/ } },
  { name: 'reports a bad build tag', input: 'version: 1\nprofiles:\n  p:\n    build: { tag: "a:"}\n', expected: { message: /Tag "a:": the tag after ":" is empty/ } },
  { name: 'reports a build without tag or image', input: 'version: 1\nprofiles:\n  p:\n    build: { context: . }\n', expected: { message: /build has no tag/ } },
  { name: 'reports an image that differs from build.tag', input: 'version: 1\nprofiles:\n  p:\n    image: a:v2\n    build: { tag: a:v1 }\n', expected: { message: /image "a:v2" differs from build.tag "a:v1"/, line: 4, column: 12 } },
  { name: 'reports a bad platform', input: 'version: 1\nprofiles:\n  p:\n    build: { tag: a:v1, platform: amd64 }\n', expected: { message: /"amd64" is not valid for profiles.p.build.platform: write os\/arch\[\/variant\]/ } },
  { name: 'reports a bad build arg name', input: 'version: 1\nprofiles:\n  p:\n    build: { tag: a:v1, args: { "BASE IMAGE": x } }\n', expected: { message: /"BASE IMAGE" is not a valid name in profiles.p.build.args: use letters, digits and _ for a build arg name/ } },
  {
    name: 'reports a duplicate container name on the later profile and keeps the first',
    input: 'version: 1\nprofiles:\n  a:\n    image: x:v1\n    run: { name: same }\n  b:\n    image: x:v1\n    run: { name: same }\n',
    expected: { message: /Container name "same" is already used by profile "a"/, line: 8, column: 18, path: 'profiles.b.run.name' },
    keeps: ['a'],
  },
  { name: 'reports a duplicate key', input: 'version: 1\nprofiles:\n  p:\n    image: a:v1\n    image: b:v1\n', expected: { message: /used twice/, line: 5, column: 5 } },
  { name: 'reports a YAML syntax error with its position', input: 'version: 1\nprofiles:\n  p:\n    image: [a:v1\n', expected: { message: /end with a \]/, line: 5, column: 1, path: '', expected: 'valid YAML' } },
  { name: 'reports another version', input: 'version: 2\nprofiles:\n  p:\n    image: a:v1\n', expected: { message: /version should be 1, not the number 2: this extension reads version 1 profile files/, line: 1, column: 10, path: 'version' } },
  { name: 'reports a bad profile name', input: 'version: 1\nprofiles:\n  "my profile":\n    image: a:v1\n', expected: { message: /"my profile" is not a valid name in profiles: use letters, digits, _, . and - for a profile name/ } },
  { name: 'reports profiles given as a list', input: 'version: 1\nprofiles:\n  - image: a:v1\n', expected: { message: /profiles should be a mapping or empty, not a list/ } },
  { name: 'reports interactive and tty that disagree', input: R('interactive: true\ntty: false'), expected: { message: /tty: false contradicts interactive: true/, line: 7, path: 'profiles.p.run.tty' } },
  { name: 'reports detach false with interactive false', input: R('detach: false\ninteractive: false'), expected: { message: /detach: false runs the container in an interactive terminal/, line: 7, path: 'profiles.p.run.interactive' } },
  { name: 'suggests interactive for the Compose spelling stdin_open', input: R('stdin_open: true'), expected: { message: /did you mean "interactive"/ } },
  { name: 'reports interactive given as text', input: R('interactive: "yes"'), expected: { message: /profiles.p.run.interactive should be true or false/ } },
  {
    name: 'reports an app without a port, at the item, with the schema description as the expected form',
    input: 'version: 1\nprofiles:\n  p:\n    image: a:v1\n    apps: [{name: jupyter}]\n',
    expected: { message: /^profiles.p.apps\[0\] needs a port$/, line: 5, column: 12, path: 'profiles.p.apps[0]', expected: 'Apps the container serves (JupyterLab, TensorBoard, a Flask API...): each appears under the container in the Containers view once its health path answers on the published host port; click to open it (Jupyter\'s token included). Jupyter, TensorBoard, MLflow, Streamlit and Gradio are recognised without this; e.g. [{"name":"jupyter","port":8888,"path":"/lab","health":"/api"}]' },
  },
  { name: 'reports an app port out of range with the schema limit', input: 'version: 1\nprofiles:\n  p:\n    image: a:v1\n    apps: [{name: j, port: 70000}]\n', expected: { message: /profiles.p.apps\[0\].port is 70000; it must be at most 65535/, path: 'profiles.p.apps[0].port' } },
  { name: 'says a profile field written under run belongs to the profile itself', input: R('image: b:v1'), expected: { message: /Unknown field "image" in profiles.p.run; "image" belongs under the profile itself/ } },
  { name: 'reports a command of the wrong type with both accepted forms', input: R('command: { a: 1 }'), expected: { message: /profiles.p.run.command should be a list or text, not a mapping/ } },
  { name: 'reports a relative path when no folder is open', input: R('envFiles: [.env]'), expected: { message: /relative and no folder is open/ } },
];
for (const c of errorCases) {
  void test(`parseProfiles ${c.name}`, () => {
    const noFolder = /no folder is open/.test(c.expected.message.source);
    const { profiles, errors } = parseProfiles(c.input, noFolder ? {} : { workspaceFolder: WS });
    const match = errors.find((e) => c.expected.message.test(e.message));
    assert.ok(match, `no error matches ${c.expected.message}; got ${JSON.stringify(errors)}`);
    for (const [key, value] of Object.entries(c.expected)) if (key !== 'message') assert.deepEqual(match[key as keyof ProfileError], value, key);
    assert.ok(match.expected.length > 0, 'names the expected form');
    assert.deepEqual(
      profiles.map((p) => p.name),
      c.keeps ?? [],
      'a profile with an error is not returned',
    );
  });
}

void test('parseProfiles reports every error, not just the first, and keeps the other profiles', () => {
  const text = 'version: 1\nprofiles:\n  good:\n    image: a:v1\n  bad:\n    image: a:v1\n    run:\n      ports: ["80:abc", "x"]\n      shmSize: lots\n      gpu: all\n';
  const { profiles, errors } = parseProfiles(text, { workspaceFolder: WS });
  assert.deepEqual(
    errors.map((e) => e.path),
    ['profiles.bad.run.ports[0]', 'profiles.bad.run.ports[1]', 'profiles.bad.run.shmSize', 'profiles.bad.run.gpu'],
  );
  assert.deepEqual(
    profiles.map((p) => p.name),
    ['good'],
  );
});

void test('parseProfiles returns no profile at all when an error is outside every profile', () => {
  const { profiles } = parseProfiles('version: 1\nextra: 1\nprofiles:\n  good:\n    image: a:v1\n', { workspaceFolder: WS });
  assert.deepEqual(profiles, []);
});

void test('a parsed profile becomes valid create options through toRunRequest', () => {
  const p = only(withRun('name: iris-train\nports: ["4000:8080"]\nenv: { EPOCHS: "20" }\nshmSize: 2g\ngpus: all\ndetach: false\nlabels: { course: ml101 }'));
  const req = toRunRequest(p, { bindAddress: '127.0.0.1', envFromFiles: { EPOCHS: '5', SEED: '1' }, extraLabels: { course: 'x', org: 'y' } });
  assert.deepEqual(req.env, { EPOCHS: '20', SEED: '1' }, 'profile env wins over env files');
  assert.deepEqual(req.labels, { course: 'ml101', org: 'y' }, 'profile labels win over the setting');
  const body = toCreateOptions(req);
  assert.equal(body.name, 'iris-train');
  assert.equal(body.Tty, true);
  assert.deepEqual((body.HostConfig as Record<string, unknown>).ShmSize, 2 * GiB);
});

void test('an interactive profile becomes an attached -it run request with stdin and a TTY', () => {
  const p = only(withRun('command: ["bash"]\ninteractive: true\nrm: true'));
  const req = toRunRequest(p, { bindAddress: '127.0.0.1' });
  assert.equal(req.interactive, true);
  assert.equal(req.detach, false);
  const body = toCreateOptions(req);
  assert.deepEqual(
    [body.OpenStdin, body.StdinOnce, body.Tty, body.AttachStdin, body.AttachStdout, body.AttachStderr, body.Cmd],
    [true, true, true, true, true, true, ['bash']],
  );
});

const splitCases: Array<{ name: string; input: string; expected: string[] }> = [
  { name: 'splits on spaces and tabs', input: 'python  train.py\t--epochs 20', expected: ['python', 'train.py', '--epochs', '20'] },
  { name: 'keeps single-quoted text literally', input: `sh -c 'echo "$HOME"'`, expected: ['sh', '-c', 'echo "$HOME"'] },
  { name: 'removes backslashes before " inside double quotes', input: `echo "say \\"hi\\""`, expected: ['echo', 'say "hi"'] },
  { name: 'keeps other backslashes inside double quotes', input: `echo "a\\nb"`, expected: ['echo', 'a\\nb'] },
  { name: 'escapes a space outside quotes', input: 'cat my\\ file', expected: ['cat', 'my file'] },
  { name: 'keeps $VAR unexpanded', input: 'echo $EPOCHS', expected: ['echo', '$EPOCHS'] },
  { name: 'keeps an empty quoted word', input: `run ''`, expected: ['run', ''] },
  { name: 'keeps the space inside a double-quoted argument (the lab notes\' greet-app "hello " 3)', input: `"hello " 3`, expected: ['hello ', '3'] },
  { name: 'gives no words for empty text (the image\'s default command)', input: '   ', expected: [] },
  { name: 'joins quoted and unquoted parts of one word', input: `--name="a b"c`, expected: ['--name=a bc'] },
];
for (const c of splitCases) {
  void test(`splitCommand ${c.name}`, () => assert.deepEqual(splitCommand(c.input), c.expected));
}
const badSplits: Array<{ name: string; input: string; expected: RegExp }> = [
  { name: 'rejects an unclosed double quote', input: 'echo "hi', expected: /double quote at character 6 is not closed/ },
  { name: 'rejects a trailing backslash', input: 'echo \\', expected: /ends with a backslash/ },
];
for (const c of badSplits) {
  void test(`splitCommand ${c.name}`, () => assert.throws(() => splitCommand(c.input), (e: unknown) => e instanceof UserError && c.expected.test(e.message)));
}

const envFileCases: Array<{ name: string; input: string; expected: Record<string, string> }> = [
  { name: 'reads NAME=value lines and skips comments and blanks', input: '# lab settings\n\nEPOCHS=20\nLR=0.01\n', expected: { EPOCHS: '20', LR: '0.01' } },
  { name: 'keeps quotes and = in values literally, as Docker does', input: 'MSG="hi there"\nOPTS=a=b\n', expected: { MSG: '"hi there"', OPTS: 'a=b' } },
  { name: 'takes a bare name from the host environment', input: 'HOME_VAR\nMISSING\n', expected: { HOME_VAR: '/home/me' } },
  { name: 'ignores leading whitespace and CRLF', input: '  A=1\r\nB=2\r\n', expected: { A: '1', B: '2' } },
];
for (const c of envFileCases) {
  void test(`parseEnvFile ${c.name}`, () => assert.deepEqual(parseEnvFile(c.input, { HOME_VAR: '/home/me' }), c.expected));
}
void test('parseEnvFile rejects a name with whitespace, naming the line', () => {
  assert.throws(() => parseEnvFile('A=1\nMY VAR=2\n'), (e: unknown) => e instanceof UserError && /line 2: variable "MY VAR" contains whitespace/.test(e.message));
});

const suggestCases: Array<{ name: string; input: string; expected: string | undefined }> = [
  { name: 'maps the Compose name environment to env', input: 'environment', expected: 'env' },
  { name: 'matches another case', input: 'ShmSize', expected: 'shmSize' },
  { name: 'matches snake case', input: 'env_files', expected: 'envFiles' },
  { name: 'suggests nothing for an unrelated word', input: 'colour', expected: undefined },
];
for (const c of suggestCases) {
  void test(`suggestField ${c.name}`, () => assert.equal(suggestField(c.input, PROFILE_FIELDS.run), c.expected));
}

void test('every schema field has a description and examples', () => {
  const schemaPath = path.resolve(__dirname, '../../../../schemas/mllab-profiles.schema.json');
  const walk = (props: Record<string, Record<string, unknown>>, at: string): void => {
    for (const [name, s] of Object.entries(props)) {
      assert.ok(typeof s.description === 'string' && s.description.length > 10, `${at}${name} has a description`);
      assert.ok(Array.isArray(s.examples) && s.examples.length > 0, `${at}${name} has examples`);
      if (s.properties) walk(s.properties as Record<string, Record<string, unknown>>, `${at}${name}.`);
      const ap = s.additionalProperties as Record<string, unknown> | undefined;
      if (ap && typeof ap === 'object' && ap.properties) walk(ap.properties as Record<string, Record<string, unknown>>, `${at}${name}.*.`);
    }
  };
  walk((JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as { properties: Record<string, Record<string, unknown>> }).properties, '');
});

void test('the iris example in docs/profiles.md parses without errors', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../../docs/profiles.md'), 'utf8');
  const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const { profiles, errors } = parseProfiles(yaml, { workspaceFolder: '/home/me/iris' });
  assert.deepEqual(errors, []);
  assert.deepEqual(
    profiles.map((p) => p.name),
    ['train', 'serve'],
  );
});

void test('parseProfiles reads upload and download specs and toRunRequest carries them', () => {
  const p = only(withRun('upload: ["./data:/app/data"]\ndownload: ["/app/artifacts:./artifacts", "/app/model.pt:out/model.pt"]'));
  assert.deepEqual(p.run.upload, [{ local: `${WS}/data`, container: '/app/data', text: './data:/app/data' }]);
  assert.deepEqual(p.run.download?.map((d) => [d.container, d.local]), [['/app/artifacts', `${WS}/artifacts`], ['/app/model.pt', `${WS}/out/model.pt`]]);
  const req = toRunRequest(p, { bindAddress: '127.0.0.1' });
  assert.equal(req.upload?.length, 1);
  assert.equal(req.download?.length, 2);
  assert.equal('upload' in toCreateOptions(req), false, 'copies are not part of the create body');
  assert.equal(toRunRequest(only(withRun('name: x1')), { bindAddress: '127.0.0.1' }).upload, undefined);
});

void test('parseProfiles reports a swapped or malformed upload/download with where it is and what to write', () => {
  const { profiles, errors } = parseProfiles(withRun('upload: ["/app/data:./data"]\ndownload: ["/app/artifacts"]'), { workspaceFolder: WS });
  assert.deepEqual(profiles, []);
  assert.equal(errors.length, 2);
  assert.equal(errors[0].path, 'profiles.p.run.upload[0]');
  assert.match(errors[0].message, /container path "\.\/data" must be absolute.*write the workspace path first, e\.g\. \.\/data:\/app\/data/);
  assert.equal(errors[0].line, 6);
  assert.equal(errors[1].path, 'profiles.p.run.download[0]');
  assert.match(errors[1].message, /no ":" between/);
  assert.match(errors[1].expected, /\/container\/path:workspace-path/);
});
