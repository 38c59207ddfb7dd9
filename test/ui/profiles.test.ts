/**
 * Run profiles scenario: a person runs a profile of `.vscode/mllab.yaml` from the
 * picker ("ML Lab: Run Profile...") and from the task list ("Tasks: Run Task" > mllab), and
 * saves a guided run ("ML Lab: Run Container...") as a new profile.
 *
 * The lab workspace gets a profiles file with two profiles that build the flask lab's image
 * (tagged for this run) and run it: `ui-web` serves on 127.0.0.1:4030, `ui-hello` prints a line
 * and exits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workbenchScenario, writeProfiles, cleanupDocker, docker, portInUse, runId, sleep, testLabel, waitFor } from './support/workbench';

const hostPort = 4030;
const baseImage = process.env.MLLAB_BASE_IMAGE ?? 'mllab-test/python-ml:bookworm';
const repository = 'mllab-ui-test/flask-profile';
const tag = `${repository}:${runId}`;
const webName = `mllab-ui-profile-web-${runId}`;
const taskName = `mllab-ui-profile-task-${runId}`;
const savedProfile = `ui-saved-${runId}`;
const greeting = 'hello from a task';
let built = false;

const profilesYaml = `# Run profiles of the UI test (profiles.test.ts)
version: 1
profiles:
  ui-web:
    description: The flask lab on http://127.0.0.1:${hostPort}
    build:
      dockerfile: Dockerfile
      context: .
      tag: ${tag}
      args: { BASE_IMAGE: ${baseImage} }
    run:
      name: ${webName}
      ports: ["${hostPort}:8080"]
      labels: { ${testLabel.key}: ${testLabel.value} }

  ui-hello:
    description: Prints a greeting and exits
    build:
      dockerfile: Dockerfile
      context: .
      tag: ${tag}
      args: { BASE_IMAGE: ${baseImage} }
    run:
      name: ${taskName}
      command: ["python3", "-c", "print('${greeting}')"]
      rm: false
      labels: { ${testLabel.key}: ${testLabel.value} }
`;

/** Containers of this scenario: the test label and the test image (the guided run names its own). */
function ourContainers(): string[] {
  return docker(['ps', '-a', '--filter', `label=${testLabel.key}=${testLabel.value}`, '--filter', `ancestor=${tag}`, '--format', '{{.Names}}'], true)
    .split('\n').filter(Boolean);
}

const { wb, step } = workbenchScenario({
  name: 'profiles', lab: 'flask-app',
  // xterm's DOM renderer, so the task terminal's text can be read from the page.
  userSettings: { 'terminal.integrated.gpuAcceleration': 'off' },
  prepare: writeProfiles(profilesYaml),
}, {
  before: async () => {
    assert.equal(await portInUse(hostPort), false, `127.0.0.1:${hostPort} is already in use: stop whatever listens there first`);
  },
  cleanup: () => {
    cleanupDocker({ containerNames: [webName, taskName, ...ourContainers()], images: [tag] });
  },
});

void test('runs a profile from the picker: the image is built, the Containers view shows the binding and the app answers', { timeout: 300_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Run Profile...');
  const picker = await w.readQuickInput();
  assert.ok(picker.items.includes('ui-web') && picker.items.includes('ui-hello'), `the picker lists the file's profiles: ${picker.items.join(', ')}`);
  await w.pickQuickInputItem('ui-web');

  const portText = `127.0.0.1:${hostPort}->8080/tcp`;
  const description = await w.waitForRowDescription('Containers', webName, (d) => d.includes(portText),
    `the row of ${webName} to show ${portText}`, 240_000);
  built = true;
  assert.match(description, new RegExp(`^${tag} · Up `), `image · status · ports: ${description}`);
  assert.equal(docker(['inspect', '--format', `{{index .Config.Labels "${testLabel.key}"}}`, webName]), testLabel.value);

  const body = await waitFor(`http://127.0.0.1:${hostPort}/ to answer`, async () => {
    const res = await fetch(`http://127.0.0.1:${hostPort}/`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? await res.text() : undefined;
  }, 60_000, 500);
  assert.match(body, /Welcome to the ML Container Lab/, `the flask app's welcome text, got: ${body.slice(0, 200)}`);
  await w.findTreeRow('Images', [repository, runId], 30_000);
  await sleep(500);
  await w.screenshot('profiles-picker-running');
}));

void test('runs a profile from the task list: "Tasks: Run Task" > mllab > profile, the task terminal shows its output', { timeout: 300_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('Tasks: Run Task');
  await w.pickQuickInputItem('mllab', 60_000);
  const tasks = await w.readQuickInput();
  // The task list names each task by its type and label: "mllab: ui-hello".
  const taskLabel = (profile: string) => new RegExp(`^(mllab: )?${profile}$`);
  assert.ok(tasks.items.some((i) => taskLabel('ui-web').test(i)) && tasks.items.some((i) => taskLabel('ui-hello').test(i)),
    `the mllab tasks are the profiles: ${tasks.items.join(', ')}`);
  await w.pickQuickInputItem(taskLabel('ui-hello'));
  // A task that names no problem matcher makes VS Code ask which errors to scan for on every
  // run; ours declare an empty list, so the task starts without a question.
  const matcherPrompt = await w.readQuickInput(3_000).catch(() => undefined);
  assert.ok(!matcherPrompt?.items.includes('Continue without scanning the task output'),
    `the task starts without asking about problem matchers: ${matcherPrompt?.placeholder ?? ''}`);

  const text = await waitFor('the task terminal to show the output and the exit code', async () => {
    const t = await w.terminalText();
    return t.includes(greeting) && /exited with code \d+/.test(t) ? t : undefined;
  }, 240_000, 500).catch(async (e: unknown) => {
    throw new Error(`${String(e)}; the terminal shows: ${JSON.stringify((await w.terminalText().catch(() => '')).slice(-1500))}`);
  });
  assert.match(text, new RegExp(`Running ${taskName}`), 'the task says which container it runs');
  assert.match(text, new RegExp(`${taskName} exited with code 0`), `the container exited with 0: ${text.slice(-400)}`);
  assert.equal(docker(['inspect', '--format', '{{.State.ExitCode}}', taskName]), '0');
  const description = await w.waitForRowDescription('Containers', taskName, (d) => /Exited \(0\)/.test(d),
    `the row of ${taskName} to show Exited (0)`);
  assert.match(description, new RegExp(`^${tag} · Exited \\(0\\)`));
  // The task built the same profile image as the picker did (same labels, so the build is
  // cached): the picker's container still shows the tag, not a bare image id.
  const web = await w.waitForRowDescription('Containers', webName, () => true, `the row of ${webName}`);
  assert.ok(web.startsWith(`${tag} · `), `the web container keeps its image tag: ${web}`);
  await w.screenshot('profiles-task-output');
}));

void test('saves a guided run as a profile: "Run Container..." then "Save Last Run as Profile..." writes it into mllab.yaml', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  assert.ok(built || docker(['image', 'inspect', '--format', '{{.Id}}', tag], true), `the image ${tag} from the first profile is needed`);
  const before = new Set(ourContainers());
  await w.runCommand('ML Lab: Run Container...');
  await w.pickQuickInputItem(tag);
  const asked = await w.answerRunPrompts({ ports: '', mounts: '', env: 'EPOCHS=2' });
  assert.deepEqual(asked.slice(0, 3), ['ports', 'volumes', 'env'], `the guided run asks ports, mounts, env: ${asked.join(', ')}`);
  const started = await waitFor('the guided run to start a container', () => ourContainers().find((n) => !before.has(n)), 60_000);
  assert.match(docker(['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', started]), /^EPOCHS=2$/m, 'the container got EPOCHS=2');

  await w.runCommand('ML Lab: Save Last Run as Profile...');
  const prompt = await w.readQuickInput();
  assert.match(`${prompt.title} ${prompt.message}`, /profile/i, `the name prompt: ${prompt.title} ${prompt.message}`);
  await w.answerQuickInput(savedProfile);
  await w.page.locator('.tabs-container .tab.active[aria-label^="mllab.yaml"]').first().waitFor({ timeout: 20_000 });
  const text = await waitFor(`the editor to show profile ${savedProfile}`, async () => {
    const t = await w.editorText();
    return t.includes(`${savedProfile}:`) ? t : undefined;
  }, 20_000);
  const section = text.slice(text.indexOf(`${savedProfile}:`));
  assert.match(section, new RegExp(`image: "?${tag.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"?`), `the saved profile runs the image:\n${section}`);
  assert.match(section, /EPOCHS:\s*"?2"?/, `the saved profile has EPOCHS=2:\n${section}`);
  assert.ok(!/ports:/.test(section), `no ports were given, none saved:\n${section}`);
  assert.match(text, /^# Run profiles of the UI test/, 'the file keeps its comment');
  assert.match(text, /^ {2}ui-web:$/m, 'the file keeps the other profiles');
  assert.match(text, /^ {2}ui-hello:$/m, 'the file keeps the other profiles');
  await w.screenshot('profiles-saved');
}));
