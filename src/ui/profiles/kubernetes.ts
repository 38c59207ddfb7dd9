/**
 * "Export Profile as Kubernetes Job..." and "Copy Profile as kubectl Command...": a run profile
 * as a batch/v1 Job manifest (src/core/kubernetes/job.ts), with the image digest resolved
 * through the engine. We export only; submitting is kubectl's or the cluster's own tools' job.
 */
import * as vscode from 'vscode';
import { exportNote, jobManifestYaml, kubectlApplyCommand, profileToJob, resolveImageDigest, type JobExport } from '../../core/kubernetes/job';
import type { Profile } from '../../core/run/profile';
import type { CommandContext } from '../shared/context';
import type { LoadedProfiles } from '../shared/profileStore';
import { describeError } from '../base/session';
import { EngineError } from '../../engine/engine';
import { log } from '../base/log';
import { pickProfile } from './profiles';

/** What the export made: the manifest text, the note shown, and the untitled editor's document. */
export interface KubernetesExportResult {
  job: string;
  manifest: string;
  note: string;
  uri: string;
}

async function exportJob(ctx: CommandContext, profile: Profile, loaded: LoadedProfiles): Promise<{ exported: JobExport; manifest: string }> {
  // RepoDigests when pushed, else the image ID: GET /images/{name}/json; any engine error
  // (no such image, not reachable) is said in the manifest rather than stopping the export.
  let inspect: { Id?: string; RepoDigests?: string[] } | undefined;
  let reason: string | undefined;
  try {
    inspect = (await ctx.session.get().inspectImageRaw(profile.image)) as { Id?: string; RepoDigests?: string[] };
  } catch (err) {
    reason = err instanceof EngineError && err.kind === 'notFound' ? `no image ${profile.image} on the engine` : describeError(err).split('\n')[0];
  }
  const exported = profileToJob(profile, {
    image: resolveImageDigest(profile.image, inspect, reason),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    profilesFile: vscode.workspace.asRelativePath(loaded.uri),
  });
  return { exported, manifest: jobManifestYaml(exported) };
}

/**
 * An unsaved YAML document named `fileName` in the workspace folder (so Save suggests that
 * name), holding `text`; a second export of the same profile replaces its text.
 */
async function untitledManifest(fileName: string, text: string): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) return vscode.workspace.openTextDocument({ language: 'yaml', content: text });
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, fileName).with({ scheme: 'untitled' }));
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  await vscode.workspace.applyEdit(edit);
  return doc.languageId === 'yaml' ? doc : vscode.languages.setTextDocumentLanguage(doc, 'yaml');
}

/**
 * "Export Profile as Kubernetes Job...": opens the manifest in an unsaved YAML editor named
 * `<job>.job.yaml` (nothing is written to disk until the user saves it) and shows the note:
 * what was not carried and which Secrets and PersistentVolumeClaims to create first.
 * `{profile}` (or the name) answers the picker.
 */
export async function exportProfileAsKubernetesJob(ctx: CommandContext, arg?: unknown): Promise<KubernetesExportResult | undefined> {
  const picked = await pickProfile(ctx, arg, 'Export Profile as Kubernetes Job');
  if (!picked) return undefined;
  const { exported, manifest } = await exportJob(ctx, picked.profile, picked.loaded);
  const doc = await untitledManifest(`${exported.name}.job.yaml`, manifest);
  await vscode.window.showTextDocument(doc, { preview: false });
  const note = exportNote(exported);
  log().info(note);
  const copyKubectl = 'Copy kubectl Command';
  const copySecrets = exported.secrets.length > 1 ? 'Copy Secret Commands' : 'Copy Secret Command';
  void vscode.window.showInformationMessage(note.replace(/\n/g, ' '), ...(exported.secrets.length ? [copySecrets] : []), copyKubectl).then(async (choice) => {
    if (choice === copyKubectl) await vscode.env.clipboard.writeText(kubectlApplyCommand(doc.getText()));
    if (choice === copySecrets) await vscode.env.clipboard.writeText(exported.secrets.map((s) => s.command).join('\n'));
  });
  return { job: exported.name, manifest, note, uri: doc.uri.toString() };
}

/** "Copy Profile as kubectl Command...": `kubectl apply -f - <<'EOF'` with the Job manifest, onto the clipboard. */
export async function copyProfileAsKubectlCommand(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const picked = await pickProfile(ctx, arg, 'Copy Profile as kubectl Command');
  if (!picked) return undefined;
  const { exported, manifest } = await exportJob(ctx, picked.profile, picked.loaded);
  const text = kubectlApplyCommand(manifest);
  await vscode.env.clipboard.writeText(text);
  const first = exported.secrets.length ? ` Create the Secret${exported.secrets.length > 1 ? 's' : ''} ${exported.secrets.map((s) => s.name).join(', ')} first (see the comments).` : '';
  void vscode.window.showInformationMessage(`Copied kubectl apply for the Job ${exported.name} (profile ${picked.profile.name}).${first}`);
  return text;
}
