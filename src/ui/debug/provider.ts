/**
 * The `mlLab` debug type: F5 on a launch configuration runs the profile's container under
 * debugpy (./launch.ts) and VS Code connects straight to debugpy's adapter port
 * (`DebugAdapterServer`); an attach configuration connects to a running container's debugpy.
 * Stopping (Disconnect: VS Code attaches to debugpy) the session stops the debug run's
 * container (the engine removes it when the profile says `rm`); a script that ran to its end
 * leaves its container with its own exit code; Restart ends the session and resolves the configuration again, which runs a new
 * container (debugpy does not support DAP `restart`, so VS Code does exactly that).
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE, checkDebugConfiguration, launchConfiguration } from '../../core/debug/config';
import { DEBUGPY_PORT } from '../../core/debug/command';
import { derivePathMappings } from '../../core/debug/pathMappings';
import type { CommandContext } from '../shared/context';
import { describeError } from '../base/session';
import { log } from '../base/log';
import { debugAddress, launchDebugRun } from './launch';

/** What the resolved configuration carries to the adapter factory and the terminate handler. */
interface Resolved {
  host: string;
  port: number;
  /** set for a launch: the container to stop when the session ends */
  containerId?: string;
  containerName?: string;
}

/** Debug runs by resolved-configuration key, the contexts their containers run in, and whether the script ended. */
const runs = new Map<string, { target: Resolved; ctx: CommandContext; userStopped?: boolean; scriptEnded?: boolean }>();
/** How long a script that ended may take to leave its container before the container is stopped (ms). */
const EXIT_GRACE_MS = 10_000;
let nextKey = 0;

class Provider implements vscode.DebugConfigurationProvider {
  constructor(private readonly ctx: CommandContext) {}

  /** launch.json's initial configurations: one launch per valid profile. */
  async provideDebugConfigurations(): Promise<vscode.DebugConfiguration[]> {
    const { profiles } = await this.ctx.profiles.load();
    return (profiles.length ? profiles.map((p) => p.name) : ['train']).map((n) => launchConfiguration(n) as unknown as vscode.DebugConfiguration);
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    raw: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    try {
      const c = checkDebugConfiguration(raw);
      const key = `mllab-debug-${++nextKey}`;
      let target: Resolved;
      let ctx = this.ctx;
      let pathMappings = c.pathMappings;
      if (c.request === 'launch') {
        const run = await launchDebugRun(this.ctx, c.profile!, { port: c.port, pathMappings: c.pathMappings });
        if (!run) return undefined; // cancelled: VS Code starts nothing
        ({ ctx, pathMappings } = run);
        target = { host: run.host, port: run.port, containerId: run.containerId, containerName: run.containerName };
      } else {
        const port = c.port ?? DEBUGPY_PORT;
        const address = await debugAddress(this.ctx, c.container!, port);
        target = { ...address };
        pathMappings ??= await attachMappings(this.ctx, c.container!);
      }
      runs.set(key, { target, ctx });
      return {
        ...raw,
        // VS Code sends `attach` to debugpy, which is already running the script: a launch
        // configuration only names what to start first
        request: 'attach',
        connect: { host: target.host, port: target.port },
        pathMappings,
        justMyCode: c.justMyCode ?? true,
        mlLabRun: key,
      };
    } catch (err) {
      // shown here: VS Code would only say that the configuration could not be resolved
      const message = describeError(err);
      log().warn(message);
      void vscode.window.showErrorMessage(message, 'Open Log').then((choice) => choice && log().show());
      return undefined;
    }
  }
}

/** Mappings for attaching to a running container: its bind mounts, else the workspace -> its working folder. */
async function attachMappings(ctx: CommandContext, container: string) {
  const engine = ctx.session.get();
  const c = (await engine.listContainers()).find((x) => x.id === container || x.name === container);
  const raw = c ? await engine.inspectContainer(c.id) : {};
  const workingDir = ((raw as { Config?: { WorkingDir?: string } }).Config?.WorkingDir) ?? '';
  return derivePathMappings({
    workspace: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(),
    mounts: (c?.mounts ?? []).filter((m) => m.type === 'bind').map((m) => ({ type: 'bind' as const, source: m.source, target: m.destination, readOnly: m.readOnly })),
    workingDir,
    isDirectory: () => true,
  });
}

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const key = session.configuration.mlLabRun as string | undefined;
    const run = key ? runs.get(key) : undefined;
    if (!run) throw new Error('This ML Lab debug session was not started through its configuration: start it again with F5.');
    return new vscode.DebugAdapterServer(run.target.port, run.target.host);
  }
}

/** Stops the debug run's container when its session ends (stop, restart, or the script finished). */
async function onTerminated(session: vscode.DebugSession): Promise<void> {
  if (session.type !== DEBUG_TYPE) return;
  const key = session.configuration.mlLabRun as string | undefined;
  const run = key ? runs.get(key) : undefined;
  if (!key || !run) return;
  runs.delete(key);
  const { containerId, containerName } = run.target;
  if (!containerId) return; // attached to someone else's container: leave it running
  try {
    if (!run.userStopped) {
      // the script ran to its end (or the connection dropped): let the container exit with the
      // script's own code; debugpy takes a moment to shut down after the script's last line
      await run.ctx.session.get().waitContainer(containerId, AbortSignal.timeout(EXIT_GRACE_MS)).catch(() => undefined);
    }
    const c = (await run.ctx.session.get().listContainers()).find((x) => x.id === containerId);
    if (c?.state === 'running') {
      // one second: the script is stopped at a breakpoint or detached, there is no work to save
      await run.ctx.session.get().stopContainer(containerId, 1);
      log().info(`Debug session ended (${run.userStopped ? 'stopped' : 'the script ended'}): stopped ${containerName}`);
    }
    run.ctx.views.containers.refresh();
  } catch (err) {
    log().warn(`Could not stop the debug run ${containerName ?? containerId}: ${String(err)}`);
  }
}

/** Registers the `mlLab` debug type's provider, adapter factory and session-end handler. */
export function registerDebugType(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new Provider(ctx)),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory()),
    // who ended the session: a Stop/Restart (VS Code's `disconnect` first) or the script (debugpy's `exited`/`terminated` first)
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: (session) => {
        const run = () => runs.get(session.configuration.mlLabRun as string);
        return {
          onWillReceiveMessage: (m: { type?: string; command?: string }) => {
            const r = run();
            if (r && m.type === 'request' && m.command === 'disconnect' && !r.scriptEnded) r.userStopped = true;
          },
          onDidSendMessage: (m: { type?: string; event?: string }) => {
            const r = run();
            if (r && m.type === 'event' && (m.event === 'exited' || m.event === 'terminated') && !r.userStopped) r.scriptEnded = true;
          },
        };
      },
    }),
    vscode.debug.onDidTerminateDebugSession((s) => void onTerminated(s)),
  ];
}
