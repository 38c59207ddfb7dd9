/**
 * Host tier: "Export Profile as Kubernetes Job" and "Copy Profile as kubectl Command" in a real
 * extension host, on the iris lab's own `train` profile and on a profile with GPUs, shm, a named
 * volume, a bind mount and a secret-looking env variable whose image is on the engine (a tag of
 * the local busybox image made for this run, removed after), so its image ID comes from the
 * engine. The manifest is read back from the editor the command opened.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { CommandIds } from '../../src/core/ids';
import type { KubernetesExportResult } from '../../src/ui/profiles/kubernetes';
import { runId, testEngine } from '../support/fixtures';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const RUN = runId('hostk');
const BUSYBOX = 'mllab-test/busybox:1';
const repo = `mllab-hosttest/k8s-${RUN}`;

interface JobShape {
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    backoffLimit: number;
    template: {
      spec: {
        restartPolicy: string;
        volumes: Array<{ name: string; emptyDir?: { medium: string; sizeLimit: string }; persistentVolumeClaim?: { claimName: string } }>;
        containers: Array<{ image: string; env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>; resources?: { limits: Record<string, string> }; volumeMounts: Array<{ name: string; mountPath: string }> }>;
      };
    };
  };
}

describe('Kubernetes Job export in a real extension host', () => {
  let file = '';
  let original = '';
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'mllab.yaml');
    original = readFileSync(file, 'utf8');
    await testEngine().tagImage(BUSYBOX, repo, 'v1');
    writeFileSync(
      file,
      `${original}  k8s-gpu:\n    image: ${repo}:v1\n    run:\n      command: ["sh", "-c", "echo trained"]\n      volumes: ["./data:/data:ro", "datasets:/datasets"]\n      env: { EPOCHS: "3", HF_TOKEN: hf_host_test_value }\n      gpus: 2\n      shmSize: 2g\n`,
    );
  });
  after(async () => {
    writeFileSync(file, original);
    await testEngine().removeImage(`${repo}:v1`).catch(() => undefined);
  });

  it('exports the iris lab\'s train profile as a Job manifest in a YAML editor, with the note', async () => {
    const result = await vscode.commands.executeCommand<KubernetesExportResult>(CommandIds.profileExportKubernetesJob, { profile: 'train' });
    assert.ok(result, 'the export ran (see the log for its error)');
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), result.uri);
    assert.equal(editor?.document.languageId, 'yaml');
    assert.equal(editor?.document.uri.scheme, 'untitled', 'nothing is written to disk');
    assert.equal(path.basename(editor!.document.uri.path), 'iris-train.job.yaml', 'Save suggests <job>.job.yaml');
    const text = editor!.document.getText();
    assert.equal(text, result.manifest);
    console.log(`exported manifest of the iris lab's train profile:\n${text}`);
    assert.match(text, /^# Kubernetes Job for run profile "train" of \.vscode\/mllab\.yaml/);
    const job = parse(text) as JobShape;
    assert.equal(job.kind, 'Job');
    assert.equal(job.metadata.name, 'iris-train');
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    assert.equal(job.spec.backoffLimit, 0);
    const c = job.spec.template.spec.containers[0];
    assert.equal(c.image, 'iris-train:v1');
    assert.deepEqual(c.env, [{ name: 'EPOCHS', value: '20' }]);
    assert.deepEqual(job.spec.template.spec.volumes, [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }]);
    assert.match(text, /# Not carried: bind mount \.\/artifacts -> \/usr\/local\/app\/artifacts/);
    assert.match(result.note, /Not carried: bind mount \.\/artifacts/);
    // What the engine says about iris-train:v1 is in the header: its ID, or why there is none.
    const seen = await testEngine().inspectImageRaw('iris-train:v1').then((i) => i.Id as string, () => undefined);
    if (seen) assert.ok(text.includes(seen), `the header names the image ID ${seen}`);
    else assert.match(text, /# Image iris-train:v1, digest unknown: no image iris-train:v1 on the engine\./);
    // A second export replaces the text of the same unsaved document.
    const again = await vscode.commands.executeCommand<KubernetesExportResult>(CommandIds.profileExportKubernetesJob, { profile: 'train' });
    assert.equal(again?.uri, result.uri);
    assert.equal(vscode.window.activeTextEditor?.document.getText(), again?.manifest);
  });

  it('resolves the image ID through the engine and carries GPUs, shm, the named volume and the secret-looking env', async () => {
    const result = await vscode.commands.executeCommand<KubernetesExportResult>(CommandIds.profileExportKubernetesJob, 'k8s-gpu');
    assert.ok(result);
    const text = vscode.window.activeTextEditor!.document.getText();
    const id = (await testEngine().inspectImageRaw(`${repo}:v1`)).Id as string;
    assert.ok(text.split('\n').slice(0, 4).join('\n').includes(`image ID ${id} (local: not pushed`), text.slice(0, 600));
    const job = parse(text) as JobShape;
    const c = job.spec.template.spec.containers[0];
    assert.equal(c.resources?.limits['nvidia.com/gpu'], '2');
    assert.deepEqual(job.spec.template.spec.volumes, [
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } },
      { name: 'datasets', persistentVolumeClaim: { claimName: 'datasets' } },
    ]);
    assert.deepEqual(c.env[1], { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'k8s-gpu-secrets', key: 'HF_TOKEN' } } });
    assert.match(result.note, /kubectl create secret generic k8s-gpu-secrets --from-literal=HF_TOKEN="\$HF_TOKEN"/);
    assert.match(result.note, /Not carried: bind mount \.\/data -> \/data/);
    assert.doesNotMatch(text + result.note, /hf_host_test_value/, 'the value is never written');
  });

  it('copies the kubectl apply command with the same manifest', async () => {
    const text = await vscode.commands.executeCommand<string>(CommandIds.profileCopyKubectlCommand, 'k8s-gpu');
    assert.ok(text);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], "kubectl apply -f - <<'EOF'");
    assert.equal(lines[lines.length - 1], 'EOF');
    const job = parse(lines.slice(1, -1).join('\n')) as JobShape;
    assert.equal(job.metadata.name, 'k8s-gpu');
    assert.equal(await vscode.env.clipboard.readText(), text, 'on the clipboard');
  });
});
