/**
 * Interactive runs and arguments in the guided run, as a person does
 * them in the browser:
 * - "Run Container..." on the busybox image, whose CMD is `sh`: the guided run suggests
 *   Interactive; a terminal attaches to the container; what is typed reaches sh and its answer
 *   shows in the terminal; `exit 5` ends the container and the terminal reports the code;
 * - the lab notes' `docker run greet-app "hello " 3`: the guided run's command step takes
 *   quoted arguments, the run is detached, and the container's logs show both arguments intact;
 * - a profile with `interactive: true` and `rm: true` from "Run Profile...": typed, answered,
 *   and the container is gone after `exit`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Workbench, workbenchScenario, writeProfiles, cleanupDocker, docker, runId, sleep, testLabel, waitFor } from './support/workbench';

const BUSYBOX = 'mllab-test/busybox:1';
const shellName = `mllab-ui-it-shell-${runId}`;
const argsName = `mllab-ui-it-args-${runId}`;
const profileName = `mllab-ui-it-profile-${runId}`;
const savedProfile = `ui-args-${runId}`;

const profilesYaml = `version: 1
profiles:
  ui-shell:
    description: busybox sh in a terminal, removed on exit
    image: ${BUSYBOX}
    run:
      name: ${profileName}
      command: ["sh"]
      interactive: true
      rm: true
      labels: { ${testLabel.key}: ${testLabel.value} }
`;

const { wb, step } = workbenchScenario({
  name: 'interactive', lab: 'flask-app',
  // xterm's DOM renderer, so the terminal's text can be read from the page.
  userSettings: { 'terminal.integrated.gpuAcceleration': 'off' },
  prepare: writeProfiles(profilesYaml),
}, {
  cleanup: () => {
    cleanupDocker({ containerNames: [shellName, argsName, profileName] });
  },
});

/** Types a line into the terminal that has focus, as keystrokes, then Enter. */
async function typeLine(w: Workbench, line: string): Promise<void> {
  await w.page.keyboard.type(line, { delay: 20 });
  await w.page.keyboard.press('Enter');
}

/** Makes sure keystrokes go to the terminal: the run's terminal takes focus when it opens; if not, "Terminal: Focus Terminal". */
async function focusTerminal(w: Workbench): Promise<void> {
  await w.page.locator('.integrated-terminal .xterm-screen').first().waitFor({ state: 'attached', timeout: 30_000 });
  const focused = () => w.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } | null } }).document.activeElement?.className ?? '');
  await sleep(300);
  if (!/xterm-helper-textarea/.test(await focused())) await w.runCommand('Terminal: Focus Terminal');
  await waitFor('the terminal to have keyboard focus', async () => /xterm-helper-textarea/.test(await focused()) || undefined, 10_000);
}

/** The terminal's text with wrapped rows joined (xterm wraps at the column, even inside a word). */
async function unwrapped(w: Workbench): Promise<string> {
  return (await w.terminalText()).replace(/\n/g, '').replace(/\s+/g, ' ');
}

const exists = (name: string) => docker(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Names}}'], true) === name;

void test('a guided run of an image whose command is sh suggests Interactive; typed keys reach the shell and its answer shows in the terminal', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Run Container...');
  await w.pickQuickInputItem(BUSYBOX);
  const asked = await w.answerRunPrompts({ ports: '', mounts: '', env: '', command: '', name: shellName, mode: 'Interactive' });
  assert.deepEqual(asked, ['ports', 'volumes', 'env', 'command', 'name', 'mode: Interactive'], `the guided run's steps, and Interactive offered first: ${asked.join(', ')}`);
  await waitFor(`the engine to run ${shellName}`, () => docker(['inspect', '--format', '{{.State.Running}} {{.Config.OpenStdin}} {{.Config.Tty}}', shellName], true) === 'true true true' || undefined, 30_000);

  await focusTerminal(w);
  await typeLine(w, 'echo hi-$((6*7))');
  // The TTY echoes the typed line with $((6*7)) unexpanded: only the shell's answer says hi-42.
  const text = await waitFor('the shell to answer hi-42 in the terminal', async () => {
    const t = await w.terminalText();
    return /^hi-42\s*$/m.test(t) ? t : undefined;
  }, 30_000);
  assert.match(text, /echo hi-\$\(\(6\*7\)\)/, `the typed line is echoed by the TTY:\n${text}`);
  await w.screenshot('interactive-guided-shell');

  await typeLine(w, 'exit 5');
  const ended = await waitFor('the terminal to report the exit code', async () => {
    const t = await unwrapped(w);
    return /exited ?with ?code ?5/.test(t) ? t : undefined;
  }, 30_000);
  assert.match(ended, new RegExp(`container ?${shellName} ?exited ?with ?code ?5`));
  assert.equal(docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', shellName]), 'exited 5');
  await w.screenshot('interactive-guided-exited');
  await w.page.keyboard.press('Enter'); // "Press any key to close the terminal"
}));

void test('the guided run passes quoted arguments ("hello " 3) to the container, which runs detached', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await sleep(500);
  await w.runCommand('ML Lab: Run Container...');
  await w.pickQuickInputItem(BUSYBOX);
  // busybox's CMD is sh; these words replace it, as `docker run greet-app "hello " 3` replaces greet-app's.
  const asked = await w.answerRunPrompts({ ports: '', mounts: '', env: '', command: `printf '[%s]' "hello " 3`, name: argsName, mode: 'Detached' });
  assert.ok(asked.includes('command') && asked.includes('name'), `asked: ${asked.join(', ')}`);
  assert.ok(asked.includes('mode: Detached'), `a command with arguments suggests Detached: ${asked.join(', ')}`);
  const logs = await waitFor(`${argsName} to print its arguments`, () => docker(['logs', argsName], true) || undefined, 30_000);
  assert.equal(logs, '[hello ][3]', 'each argument arrives as one word, the space inside the quotes kept');
  assert.equal(docker(['inspect', '--format', '{{json .Config.Cmd}} {{.Config.Tty}}', argsName]), '["printf","[%s]","hello ","3"] false');
  await w.screenshot('interactive-guided-args');

  // "Save Last Run as Profile..." keeps the new answers: the command's words and the name.
  await w.runCommand('ML Lab: Save Last Run as Profile...');
  await w.answerQuickInput(savedProfile);
  const text = await waitFor(`the editor to show profile ${savedProfile}`, async () => {
    const t = await w.editorText();
    return t.includes(`${savedProfile}:`) ? t : undefined;
  }, 20_000);
  const section = text.slice(text.indexOf(`${savedProfile}:`));
  assert.match(section, /command: \[ ?printf, "\[%s\]", "hello ", "3" ?\]/, `the saved profile keeps each argument:\n${section}`);
  assert.match(section, new RegExp(`name: ${argsName}`), `the saved profile keeps the container name:\n${section}`);
  assert.doesNotMatch(section, /interactive:/, `a detached run saves no interactive:\n${section}`);
  await w.screenshot('interactive-saved-profile');
}));

void test('an interactive profile (interactive: true, rm: true) runs in a terminal and its container is removed on exit', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Run Profile...');
  await w.pickQuickInputItem('ui-shell');
  await waitFor(`the engine to run ${profileName}`, () => docker(['inspect', '--format', '{{.State.Running}}', profileName], true) === 'true' || undefined, 30_000);
  await focusTerminal(w);
  await typeLine(w, 'echo profile-$((40+2))');
  await waitFor('the shell to answer profile-42', async () => (/^profile-42\s*$/m.test(await w.terminalText()) ? true : undefined), 30_000);
  await w.screenshot('interactive-profile-shell');
  await typeLine(w, 'exit');
  await waitFor('the terminal to say the container was removed', async () => (/exited ?with ?code ?0 ?and ?was ?removed ?\(--rm\)/.test(await unwrapped(w)) ? true : undefined), 30_000);
  await waitFor(`${profileName} to be gone`, () => (exists(profileName) ? undefined : true), 15_000);
}));

void test('an interactive profile run as a task: the task terminal is the container\'s TTY and the task ends with its exit code', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await sleep(500);
  await w.runCommand('Tasks: Run Task');
  await w.pickQuickInputItem('mllab', 60_000);
  await w.pickQuickInputItem(/^(mllab: )?ui-shell$/);
  await waitFor(`the engine to run ${profileName}`, () => docker(['inspect', '--format', '{{.State.Running}}', profileName], true) === 'true' || undefined, 30_000);
  await focusTerminal(w);
  await typeLine(w, 'echo task-$((20+22))');
  await waitFor('the shell to answer task-42 in the task terminal', async () => (/^task-42\s*$/m.test(await w.terminalText()) ? true : undefined), 30_000);
  await w.screenshot('interactive-task-shell');
  await typeLine(w, 'exit 4');
  const text = await waitFor('the task to end with the exit code', async () => {
    const t = await unwrapped(w);
    return /exited ?with ?code ?4/.test(t) && /terminated ?with ?exit ?code: ?4/.test(t) ? t : undefined;
  }, 30_000);
  assert.match(text, new RegExp(`Running ?${profileName}`));
  await waitFor(`${profileName} to be gone (rm: true)`, () => (exists(profileName) ? undefined : true), 15_000);
}));
