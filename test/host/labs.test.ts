/**
 * Host tier: "ML Lab: New Lab..." in a real extension host, with the templates shipped beside
 * the extension (templates/): writes a lab into a folder, refuses to write over it, and opens
 * the Dockerfile of a lab made inside the workspace.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runId } from '../support/fixtures';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const RUN = runId('hostlab');

describe('New Lab... in a real extension host', () => {
  const made: string[] = [];
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });
  after(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  it('writes the Flask serving template into an empty folder, then refuses to write over it', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'mllab-newlab-'));
    made.push(folder);
    const result = (await vscode.commands.executeCommand('mlLab.lab.new', { template: 'serving-flask', folder })) as { folder: string; files: string[] } | undefined;
    assert.ok(result, 'the command returns what it wrote');
    assert.deepEqual(result.files.map((f) => path.relative(folder, f)).sort(), ['.dockerignore', '.vscode/mllab.yaml', 'Dockerfile', 'app.py', 'requirements.txt']);
    assert.match(readFileSync(path.join(folder, 'Dockerfile'), 'utf8'), /^ARG BASE_IMAGE=python:3\.11-slim$/m);

    writeFileSync(path.join(folder, 'app.py'), '# my work\n');
    const again = await vscode.commands.executeCommand('mlLab.lab.new', { template: 'serving-flask', folder });
    assert.equal(again, undefined, 'the second run stops (its error is shown to the user)');
    assert.equal(readFileSync(path.join(folder, 'app.py'), 'utf8'), '# my work\n', 'nothing was overwritten');
  });

  it('a lab made inside the workspace opens its Dockerfile', async () => {
    const folder = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, `newlab-${RUN}`);
    made.push(folder);
    await vscode.commands.executeCommand('mlLab.lab.new', { template: 'training', folder });
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(folder, 'train.dockerfile'));
    assert.match(readFileSync(path.join(folder, 'train.py'), 'utf8'), /metrics\.json/);
  });
});
