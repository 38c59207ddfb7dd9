/**
 * A debug run of a profile: build if the profile says so, run its container through the same
 * runner as every run (checks, record, logs, exit notification) with the command under
 * debugpy and the debug port published on 127.0.0.1, wait until debugpy listens, and say where
 * VS Code connects (a forward over SSH for an ssh:// engine). Also: the address of a running
 * container's debugpy, for attaching.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { DEBUG_PORT_LABEL, DEBUGPY_PORT, debugRunRequest, debugpyCommand, effectiveCommand } from '../../core/debug/command';
import { derivePathMappings, type PathMapping } from '../../core/debug/pathMappings';
import { debugBindAddress, listensOn } from '../../core/debug/ports';
import { addDebugpyEdit } from '../../core/debug/debugpyFix';
import { forwardTargetOf, isLoopbackOrAny } from '../../core/forwards';
import type { Profile } from '../../core/run/profile';
import type { CommandContext } from '../shared/context';
import { buildProfileImage, pickProfile } from '../profiles/profiles';
import { freeContainerName, profileContext, runRequestFor } from '../shared/executeProfile';
import { runWithChecks } from '../shared/runner';
import { log } from '../base/log';

/** How long debugpy may take to listen after the container starts (ms); a slow import of a big package fits. */
const LISTEN_TIMEOUT_MS = 60_000;
/** Poll interval for the listen check (ms): one exec each. */
const LISTEN_POLL_MS = 150;

/** A started debug run: where to connect, and what to stop when the session ends. */
export interface DebugTarget {
  host: string;
  port: number;
  containerId: string;
  containerName: string;
  pathMappings: PathMapping[];
  /** the command context of the profile's engine (to stop the container there) */
  ctx: CommandContext;
}

/** Image ids known to have debugpy (an id names fixed content), so a re-run skips the check. */
const hasDebugpy = new Set<string>();

/**
 * Runs `profileName` under the debugger.
 * @param o.port the container port debugpy listens on (default 5678)
 * @param o.pathMappings replaces the derived mappings
 * @returns undefined when the user cancelled (a check, the build, a missing debugpy)
 * @throws UserError for an unsupported command, debugpy not listening in time, or the run failing
 */
export async function launchDebugRun(ctx: CommandContext, profileName: string, o: { port?: number; pathMappings?: PathMapping[] } = {}): Promise<DebugTarget | undefined> {
  const picked = await pickProfile(ctx, profileName, 'Debug Profile');
  if (!picked) return undefined;
  const { profile } = picked;
  ctx = await profileContext(ctx, profile);
  const engine = ctx.session.get();
  const port = o.port ?? DEBUGPY_PORT;
  const bindIp = debugBindAddress(engine.connection.address);
  if (!(await buildProfileImage(ctx, profile))) return undefined;
  const details = await engine.inspectImage(profile.image);
  const argv = debugpyCommand(effectiveCommand(profile.run, details), port);
  if (!hasDebugpy.has(details.id)) {
    const check = await engine.runToCompletion(profile.image, [argv[0], '-c', 'import debugpy'], 60_000);
    if (check.exitCode !== 0) {
      await offerDebugpyFix(profile, (check.stderr || check.stdout).trim().split('\n').pop() ?? '');
      return undefined;
    }
    hasDebugpy.add(details.id);
  }
  const req = debugRunRequest(runRequestFor(profile), argv, port, bindIp);
  if (!(await freeDebugName(ctx, req.name!))) return undefined;
  const started = await runWithChecks(ctx, req, { imageUser: details.user, record: { source: 'debug', profile: profile.name } });
  if (!started) return undefined;
  log().info(`Debug run ${started.name}: ${argv.join(' ')}`);
  await waitForListen(ctx, started.id, started.name, port);
  const address = await debugAddress(ctx, started.id, port);
  const pathMappings = o.pathMappings ?? derivePathMappings({
    workspace: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(),
    mounts: profile.run.mounts,
    build: profile.build && existsSync(profile.build.dockerfile)
      ? { dockerfileText: readFileSync(profile.build.dockerfile, 'utf8'), context: profile.build.context, target: profile.build.target, args: profile.build.args }
      : undefined,
    workingDir: profile.run.workingDir ?? details.workingDir,
    isDirectory: (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
  });
  log().info(`Debug run ${started.name}: debugpy at ${address.host}:${address.port}; path mappings ${pathMappings.map((m) => `${m.localRoot} -> ${m.remoteRoot}`).join(', ')}`);
  return { ...address, containerId: started.id, containerName: started.name, pathMappings, ctx };
}

/** An earlier debug run of the same name is replaced without asking (Restart); anything else asks. */
async function freeDebugName(ctx: CommandContext, name: string): Promise<boolean> {
  const existing = (await ctx.session.get().listContainers()).find((c) => c.name === name);
  return freeContainerName(ctx, name, existing?.labels[DEBUG_PORT_LABEL] !== undefined);
}

/**
 * Waits until debugpy listens on `port` inside the container (read from /proc/net/tcp by exec).
 * @throws UserError when the container stops first (with its last log line) or after LISTEN_TIMEOUT_MS
 */
async function waitForListen(ctx: CommandContext, id: string, name: string, port: number): Promise<void> {
  const engine = ctx.session.get();
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  for (;;) {
    const probe = await engine.execCollect(id, ['cat', '/proc/net/tcp', '/proc/net/tcp6']).catch(() => undefined);
    if (probe && listensOn(probe.output, port)) return;
    if (!probe) {
      const c = (await engine.listContainers()).find((x) => x.id === id);
      if (!c || c.state !== 'running') {
        let logs = '';
        await engine.logs(id, (t) => (logs += t), { follow: false }).catch(() => undefined);
        const last = logs.trim().split('\n').slice(-3).join(' / ');
        throw new UserError(`The debug run ${name} stopped before debugpy listened${last ? `: ${last}` : ''}.`, { hint: 'Open its logs for the whole output.' });
      }
    }
    if (Date.now() > deadline) {
      throw new UserError(`debugpy in ${name} did not listen on port ${port} within ${LISTEN_TIMEOUT_MS / 1000} s.`, { hint: 'Open its logs: an import at the top of the script may hang.' });
    }
    await new Promise((r) => setTimeout(r, LISTEN_POLL_MS));
  }
}

/**
 * Where VS Code reaches the container port `port` of a running container: its published host
 * port on this machine (local engine), through a forward over SSH (ssh:// engine, the engine's
 * forwards: "ML Lab: Port Forwards" lists it), or at the engine's address (tcp:// engine).
 * @throws UserError when the port is not published
 */
export async function debugAddress(ctx: CommandContext, id: string, port: number): Promise<{ host: string; port: number }> {
  const engine = ctx.session.get();
  const c = (await engine.listContainers()).find((x) => x.id === id || x.name === id);
  const published = c?.ports.find((p) => p.containerPort === port && p.protocol === 'tcp' && p.hostPort);
  if (!c || !published?.hostPort) {
    throw new UserError(`Container port ${port} of ${c?.name ?? id} is not published, so the debugger cannot reach debugpy there.`, {
      hint: `Publish it on 127.0.0.1 (ports: ["127.0.0.1::${port}"]), or use "ML Lab: Debug Profile...", which does.`,
    });
  }
  const a = engine.connection.address;
  if (a.kind === 'ssh') {
    // no probe connection: debugpy's adapter would take it for its client
    const remoteHost = published.hostIp && !isLoopbackOrAny(published.hostIp) ? published.hostIp : '127.0.0.1';
    const forward = await ctx.session.forwards.get(forwardTargetOf(`http://${remoteHost}:${published.hostPort}/`, ctx.session.name()), (t) => engine.openPortForward(t.remoteHost, t.remotePort, { probe: false }));
    return { host: '127.0.0.1', port: forward.localPort };
  }
  if (a.kind === 'tcp' && !isLoopbackOrAny(a.host)) return { host: a.host, port: published.hostPort };
  return { host: '127.0.0.1', port: published.hostPort };
}

/**
 * Says the image has no debugpy and offers the quick fix: a `RUN pip install debugpy` line in the
 * stage the profile builds (src/core/debug/debugpyFix.ts says why not a copy of a local debugpy).
 */
async function offerDebugpyFix(profile: Profile, reason: string): Promise<void> {
  const build = profile.build;
  const fix = build && existsSync(build.dockerfile) ? addDebugpyEdit(readFileSync(build.dockerfile, 'utf8'), build.target) : undefined;
  const file = build ? path.basename(build.dockerfile) : '';
  const message = `The image ${profile.image} has no debugpy, so profile ${profile.name} cannot run under the debugger.`;
  const detail = `${reason ? `Python says: ${reason}. ` : ''}${fix
    ? `Add "RUN pip install debugpy" to ${file}${fix.stage ? ` (stage ${fix.stage})` : ''}, then press F5 again: the profile rebuilds the image.`
    : 'Install debugpy in the image (pip install debugpy, or the Debian package python3-debugpy), then debug again.'}`;
  const action = `Add debugpy to ${file}`;
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...(fix ? [action] : []));
  if (choice !== action || !fix || !build) return;
  const uri = vscode.Uri.file(build.dockerfile);
  const edit = new vscode.WorkspaceEdit();
  const at = new vscode.Position(fix.edit.range.start.line, fix.edit.range.start.character);
  edit.insert(uri, at, fix.edit.newText);
  await vscode.workspace.applyEdit(edit);
  const doc = await vscode.workspace.openTextDocument(uri);
  await doc.save();
  const line = fix.edit.newText.startsWith('\n') ? at.line + 2 : at.line + 1;
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, doc.lineAt(Math.min(line, doc.lineCount - 1)).text.length) });
}
