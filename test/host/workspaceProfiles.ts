/**
 * Set-up shared by the host tests that run profiles: the extension activated (its test API) and
 * the workspace's `.vscode/mllab.yaml` written with the test's profiles.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'ml-container-lab.ml-container-lab';

/**
 * Activates the extension and writes `yaml` to the first workspace folder's `.vscode/mllab.yaml`
 * (the caller removes `file` when done).
 * @returns the extension's API as `A`, the workspace folder's path and the profiles file's path
 */
export async function writeWorkspaceProfiles<A>(yaml: string): Promise<{ api: A; folder: string; file: string }> {
  const api = (await vscode.extensions.getExtension<A>(EXTENSION_ID)!.activate()) as A;
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  const file = path.join(folder, '.vscode', 'mllab.yaml');
  writeFileSync(file, yaml);
  return { api, folder, file };
}
