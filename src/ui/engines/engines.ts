/**
 * Engines view commands: Use This Engine (every view follows without a reload),
 * Add Engine... (an SSH host or a TCP+TLS engine, written as a Docker context in the CLI's own
 * store so `docker context ls` shows it), Remove Engine (asks first).
 */
import * as vscode from 'vscode';
import { checkContextName, contextDir, listEngines, removeDockerContext, writeDockerContext, type EngineEntry } from '../../core/contexts';
import { dockerConfigDir, nodeConnectionInputs, parseDockerHost } from '../../core/connection';
import { SettingIds } from '../../core/ids';
import { UserError } from '../../core/errors';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { config } from '../base/config';
import type { CommandContext } from '../shared/context';

const inputs = () => nodeConnectionInputs(config.dockerHost(), config.engineContext());
const configDir = () => dockerConfigDir(inputs());

function isEntry(arg: unknown): arg is EngineEntry {
  return !!arg && typeof arg === 'object' && typeof (arg as EngineEntry).id === 'string' && typeof (arg as EngineEntry).kind === 'string';
}

/** Picks an engine when the command did not come from a row. */
async function pickEngine(title: string, filter: (e: EngineEntry) => boolean): Promise<EngineEntry | undefined> {
  const candidates = listEngines(inputs()).filter(filter);
  if (!candidates.length) {
    void vscode.window.showInformationMessage('No engine to choose: add one with "ML Lab: Add Engine...".');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((e) => ({ label: e.label, description: [e.current ? 'current' : '', e.description ?? e.error ?? ''].filter(Boolean).join(' · '), e })),
    { title, placeHolder: 'Engine' },
  );
  return picked?.e;
}

/** Makes an engine the current one: writes mlLab.engine.context (user settings); the session and every view follow. */
export async function useEngine(ctx: CommandContext, arg?: unknown): Promise<void> {
  const e = isEntry(arg) ? arg : await pickEngine('Use which Docker engine?', (x) => !x.current && !!x.connection);
  if (!e) return;
  if (e.kind === 'setting') return;
  if (config.dockerHost()) {
    throw new UserError(`The setting ${SettingIds.dockerHost} ("${config.dockerHost()}") chooses the engine and wins over the Engines view.`, { hint: `Clear ${SettingIds.dockerHost} to switch engines here.` });
  }
  const value = e.kind === 'context' ? e.label : 'default';
  await vscode.workspace.getConfiguration().update(SettingIds.engineContext, value, vscode.ConfigurationTarget.Global);
  ctx.session.reset();
  ctx.engines.refresh();
  void vscode.window.showInformationMessage(`Now using the Docker engine "${e.label}"${e.description ? ` (${e.description})` : ''}.`);
}

/** Add Engine...: asks for the kind, name, address (and TLS folder), writes the Docker context, offers to use it. */
export async function addEngine(ctx: CommandContext): Promise<void> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'SSH host', description: 'ssh://user@host — runs docker system dial-stdio there, as the Docker CLI does', transport: 'ssh' as const },
      { label: 'TCP with TLS', description: 'tcp://host:2376 — with a folder holding ca.pem, cert.pem, key.pem', transport: 'tls' as const },
    ],
    { title: 'Add Engine: how is it reached?' },
  );
  if (!kind) return;
  const dir = configDir();
  const taken = (n: string) => existsSync(path.join(dir, 'contexts', 'meta', contextDir(n)));
  const name = await vscode.window.showInputBox({
    title: 'Add Engine: name (a Docker context)', placeHolder: 'gpu-box',
    validateInput: (v) => checkContextName(v.trim()) ?? (taken(v.trim()) ? `A Docker context named "${v.trim()}" already exists.` : undefined),
  });
  if (!name) return;
  const host = await vscode.window.showInputBox({
    title: `Add Engine "${name.trim()}": address`,
    placeHolder: kind.transport === 'ssh' ? 'ssh://me@gpu-box (a Host of ~/.ssh/config works too: ssh://gpu-box)' : 'tcp://gpu-box.example.org:2376',
    value: kind.transport === 'ssh' ? 'ssh://' : 'tcp://',
    validateInput: (v) => {
      try {
        const a = parseDockerHost(v.trim(), { tls: kind.transport === 'tls' });
        if (kind.transport === 'ssh' && a.kind !== 'ssh') return 'An SSH engine address starts with ssh://';
        if (kind.transport === 'tls' && a.kind !== 'tcp') return 'A TLS engine address starts with tcp://';
        return undefined;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  });
  if (!host) return;
  let tlsDir: string | undefined;
  if (kind.transport === 'tls') {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'The folder with ca.pem, cert.pem and key.pem', openLabel: 'Use These Certificates' });
    if (!picked?.[0]) return;
    tlsDir = picked[0].fsPath;
  }
  writeDockerContext(dir, { name: name.trim(), host: host.trim(), tlsDir, description: 'added by ML Container Lab' }, taken);
  ctx.engines.refresh();
  const use = await vscode.window.showInformationMessage(`Added the engine "${name.trim()}" (a Docker context: docker context ls shows it).`, 'Use It Now');
  if (use) await useEngine(ctx, listEngines(inputs()).find((e) => e.kind === 'context' && e.label === name.trim()));
}

/** Remove Engine: asks first, naming the context and its TLS files; the default engine and the setting cannot be removed. */
export async function removeEngine(ctx: CommandContext, arg?: unknown): Promise<void> {
  const e = isEntry(arg) ? arg : await pickEngine('Remove which engine?', (x) => x.kind === 'context');
  if (!e) return;
  if (e.kind !== 'context') throw new UserError(`"${e.label}" is not a Docker context, so there is nothing to remove.`);
  const answer = await vscode.window.showWarningMessage(
    `Remove the Docker context "${e.label}"?`,
    { modal: true, detail: `It is deleted from the Docker CLI's store too (${configDir()}/contexts), with its TLS certificates if it has any: docker context ls will no longer show it. Nothing on the engine itself is touched.` },
    'Remove',
  );
  if (answer !== 'Remove') return;
  removeDockerContext(configDir(), e.label);
  if (config.engineContext() === e.label) {
    await vscode.workspace.getConfiguration().update(SettingIds.engineContext, undefined, vscode.ConfigurationTarget.Global);
    ctx.session.reset();
  }
  ctx.engines.refresh();
}
