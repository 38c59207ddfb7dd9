/** One typed view of the extension's settings (`mlLab.*`); defaults live in package.json. */
import * as vscode from 'vscode';
import { SettingIds } from '../../core/ids';
import { DEFAULT_TIMEOUT_MS } from '../../engine/engine';
import { DEFAULT_MAX_SESSIONS } from '../../engine/ssh';

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration();
}

export const config = {
  /** `mlLab.engine.dockerHost`: engine address that overrides DOCKER_HOST and the Docker context; '' when unset. */
  dockerHost(): string {
    return (section().get<string>(SettingIds.dockerHost) ?? '').trim();
  },
  /** `mlLab.engine.timeoutMs`: limit of one engine call in ms (at least 1000). */
  /** `mlLab.engine.context`: the engine chosen in the Engines view (a Docker context name or "default"); '' follows DOCKER_HOST and the CLI's current context. */
  engineContext(): string {
    return (section().get<string>(SettingIds.engineContext) ?? '').trim();
  },
  engineTimeoutMs(): number {
    const v = section().get<number>(SettingIds.engineTimeoutMs) ?? DEFAULT_TIMEOUT_MS;
    return Number.isFinite(v) && v >= 1000 ? v : DEFAULT_TIMEOUT_MS;
  },
  /** `mlLab.engine.sshMaxSessions`: the MaxSessions of ssh:// engines' servers (sshd_config; default 10, OpenSSH's), a whole number of at least 1. */
  sshMaxSessions(): number {
    const v = section().get<number>(SettingIds.engineSshMaxSessions) ?? DEFAULT_MAX_SESSIONS;
    return Number.isInteger(v) && v >= 1 ? v : DEFAULT_MAX_SESSIONS;
  },
  /** `mlLab.build.args`: build args for every build, string values only. */
  buildArgs(): Record<string, string> {
    return stringRecord(section().get<Record<string, unknown>>(SettingIds.buildArgs));
  },
  /** `mlLab.build.builder`: 'auto' (BuildKit when the engine supports it), 'buildkit' or 'classic'. */
  builder(): 'auto' | 'buildkit' | 'classic' {
    const v = section().get<string>(SettingIds.buildBuilder);
    return v === 'buildkit' || v === 'classic' ? v : 'auto';
  },
  /** `mlLab.run.labels`: extra labels for every container run. */
  runLabels(): Record<string, string> {
    return stringRecord(section().get<Record<string, unknown>>(SettingIds.runLabels));
  },
  /** `mlLab.run.bindAddress`: host address for port bindings that name none (default 127.0.0.1). */
  bindAddress(): string {
    return (section().get<string>(SettingIds.runBindAddress) ?? '127.0.0.1').trim() || '127.0.0.1';
  },
};

function stringRecord(v: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v ?? {})) if (typeof val === 'string') out[k] = val;
  return out;
}
