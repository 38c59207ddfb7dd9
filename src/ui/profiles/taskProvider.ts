/**
 * Every run profile is a VS Code task (type `mllab`): Terminal > Run Task lists them, and
 * tasks.json can name one (`{"type": "mllab", "profile": "train"}`). The task builds the image
 * when the profile has a build section, runs the container, and follows its logs in the task's
 * terminal; the task ends with the container's exit code. Closing the terminal stops following,
 * not the container. An interactive profile's task terminal is the container's TTY instead
 * (typing, Ctrl-C, resize), and closing it hangs up the container.
 */
import * as vscode from 'vscode';
import { TASK_TYPE } from '../../core/ids';
import { builtImageLabels } from '../images/buildImage';
import { compileMetricPatterns, type Profile } from '../../core/run/profile';
import type { CommandContext } from '../shared/context';
import { describeError } from '../base/session';
import { config } from '../base/config';
import { freeContainerName, profileContext, profileEngineText, runRequestFor } from '../shared/executeProfile';
import { runWithChecks } from '../shared/runner';
import type { AttachedRun } from '../../engine/engine';

interface MlLabTaskDefinition extends vscode.TaskDefinition {
  profile: string;
}

const crlf = (t: string) => t.replace(/\r?\n/g, '\r\n');

function profileTask(ctx: CommandContext, folder: vscode.WorkspaceFolder, definition: MlLabTaskDefinition, profile?: Profile): vscode.Task {
  const task = new vscode.Task(
    definition,
    folder,
    definition.profile,
    TASK_TYPE,
    new vscode.CustomExecution(async () => new ProfilePty(ctx, definition.profile)),
    [], // no problem matcher: without one VS Code asks on every run which errors to scan for
  );
  task.detail = profile ? `${profile.build ? `build ${profile.build.tag}, then ` : ''}run ${profile.image} ${profileEngineText(ctx, profile)}` : undefined;
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated };
  return task;
}

class ProfilePty implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly done = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.done.event;
  private readonly abort = new AbortController();
  /** The container of an interactive profile: this terminal is its TTY. */
  private attached: AttachedRun | undefined;
  private size: vscode.TerminalDimensions | undefined;

  constructor(
    private readonly ctx: CommandContext,
    private readonly name: string,
  ) {}

  open(): void {
    this.run().then(
      (code) => this.done.fire(code),
      (err: unknown) => {
        this.write.fire(`\r\n\x1b[31m${crlf(describeError(err))}\x1b[0m\r\n`);
        this.done.fire(1);
      },
    );
  }

  close(): void {
    this.abort.abort();
    this.attached?.close();
  }

  handleInput(data: string): void {
    this.attached?.write(data);
  }

  setDimensions(size: vscode.TerminalDimensions): void {
    this.size = size;
    this.attached?.resize(size.columns, size.rows);
  }

  private async run(): Promise<number> {
    const loaded = await this.ctx.profiles.load();
    const profile = loaded.profiles.find((p) => p.name === this.name);
    if (!profile) {
      const errs = loaded.errors.map((e) => `  line ${e.line}, column ${e.column}: ${e.message}`).join('\r\n');
      this.write.fire(`Profile ${this.name} cannot run: ${errs ? `the profiles file has errors:\r\n${errs}` : 'it is not in the profiles file.'}\r\n`);
      return 1;
    }
    // a profile that names its engine runs there: the terminal's first line says which
    const ctx = await profileContext(this.ctx, profile);
    const engine = ctx.session.get();
    this.write.fire(`\x1b[2mEngine: ${ctx.session.name()} (${ctx.session.describe()})\x1b[0m\r\n`);
    if (profile.build) {
      const b = profile.build;
      this.write.fire(`\x1b[1mBuilding ${b.tag}\x1b[0m from ${vscode.workspace.asRelativePath(b.dockerfile)}\r\n`);
      await engine.build(
        {
          contextDir: b.context,
          dockerfile: b.dockerfile,
          tag: b.tag,
          buildArgs: { ...config.buildArgs(), ...b.args },
          target: b.target,
          platform: b.platform,
          builder: config.builder(),
          labels: builtImageLabels(b.dockerfile),
        },
        (ev) => {
          if (ev.kind === 'log') this.write.fire(crlf(ev.text));
          else if (ev.kind === 'error') this.write.fire(`\x1b[31m${crlf(ev.message)}\x1b[0m\r\n`);
        },
        this.abort.signal,
      );
      this.ctx.views.images.refresh();
    }
    const req = runRequestFor(profile);
    if (!(await freeContainerName(ctx, req.name!))) return 1;
    const details = await engine.inspectImage(req.image);
    const started = await runWithChecks(ctx, req, {
      imageUser: details.user,
      showLogs: false,
      notifyExit: false,
      onAttached: (run) => (this.attached = run),
      record: { source: 'task', profile: profile.name, metricPatterns: compileMetricPatterns(profile.metrics ?? []) },
    });
    if (!started) return 1;
    this.write.fire(`\x1b[1mRunning ${started.name}\x1b[0m (${started.id.slice(0, 12)}) from ${req.image}\r\n`);
    if (this.attached) {
      // Interactive profile: keystrokes go to the container's TTY, its output comes back as is.
      const run = this.attached;
      if (this.size) run.resize(this.size.columns, this.size.rows);
      run.onData((text) => this.write.fire(text));
      const code = await run.exited;
      this.write.fire(`\r\n\x1b[2m${started.name} exited with code ${code ?? 'unknown'}\x1b[0m\r\n`);
      this.ctx.views.containers.refresh();
      return code ?? 1;
    }
    // Detached runs are recorded: say where their charts are.
    this.write.fire('\x1b[2mCharts: ML Lab: Open Training Run, or the Runs view.\x1b[0m\r\n');
    await engine.logs(started.id, (text) => this.write.fire(crlf(text)), { follow: true, signal: this.abort.signal });
    if (this.abort.signal.aborted) return 0;
    const { exitCode } = await engine.waitContainer(started.id);
    this.write.fire(`\r\n\x1b[2m${started.name} exited with code ${exitCode}\x1b[0m\r\n`);
    this.ctx.views.containers.refresh();
    return exitCode;
  }
}

export class ProfileTaskProvider implements vscode.TaskProvider {
  constructor(private readonly ctx: CommandContext) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return [];
    const { profiles } = await this.ctx.profiles.load();
    return profiles.map((p) => profileTask(this.ctx, folder, { type: TASK_TYPE, profile: p.name }, p));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as MlLabTaskDefinition;
    if (def.type !== TASK_TYPE || typeof def.profile !== 'string') return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    return folder ? profileTask(this.ctx, folder, def) : undefined;
  }
}
