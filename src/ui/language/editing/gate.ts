/**
 * Whether our library-based editing help is on: `mlLab.language.dockerfile` / `.compose` say
 * `on`, `off`, or `auto` = on unless an extension that brings the same language service is
 * installed (then theirs serves, and ours would show every completion, hover and diagnostic twice).
 */
import * as vscode from 'vscode';
import { SettingIds } from '../../../core/ids';

/** Container Tools (and its predecessor, the Docker extension) and Docker DX. */
export const OTHER_EXTENSIONS: ReadonlyArray<{ id: string; name: string }> = [
  { id: 'ms-azuretools.vscode-containers', name: 'Container Tools' },
  { id: 'ms-azuretools.vscode-docker', name: 'Docker (Microsoft)' },
  { id: 'docker.docker', name: 'Docker DX' },
];

export type EditingMode = 'auto' | 'on' | 'off';
export type EditingLanguage = 'dockerfile' | 'compose';

export interface EditingState {
  /** library features (completion, hover, diagnostics, outline... from the libraries; BuildKit checks) */
  library: boolean;
  /** our own additions (ML-aware completion, links): on unless the setting is `off` */
  ml: boolean;
  /** why the library features are off, for the log */
  reason?: string;
}

export function modeOf(language: EditingLanguage): EditingMode {
  const v = vscode.workspace.getConfiguration().get<string>(language === 'dockerfile' ? SettingIds.languageDockerfile : SettingIds.languageCompose);
  return v === 'on' || v === 'off' ? v : 'auto';
}

/** The installed extensions among {@link OTHER_EXTENSIONS}. */
export function otherExtensions(): string[] {
  return OTHER_EXTENSIONS.filter((e) => vscode.extensions.getExtension(e.id) !== undefined).map((e) => e.name);
}

export function editingState(language: EditingLanguage): EditingState {
  const mode = modeOf(language);
  if (mode === 'off') return { library: false, ml: false, reason: 'the setting is off' };
  if (mode === 'on') return { library: true, ml: true };
  const others = otherExtensions();
  return others.length ? { library: false, ml: true, reason: `${others.join(' and ')} installed (mlLab.language.${language} is auto)` } : { library: true, ml: true };
}

/** What another YAML extension does for compose files, in the Compose language service's terms (as Container Tools tells it). */
export function alternateYamlCapabilities(): Record<string, boolean> | undefined {
  const redhat = vscode.extensions.getExtension('redhat.vscode-yaml') !== undefined;
  const docker = vscode.extensions.getExtension('docker.docker') !== undefined;
  if (!redhat && !docker) return undefined;
  return { syntaxValidation: true, schemaValidation: redhat && !docker, basicCompletions: true, advancedCompletions: false, hover: true, imageLinks: false, serviceStartupCodeLens: false, formatting: false };
}
