/**
 * Kubernetes export scenario: a person exports the iris lab's `train` profile from
 * the command palette, picks it, reads the Job manifest in the editor that opens and the note,
 * then copies it as a kubectl command. Nothing is created on the engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { waitFor, workbenchScenario } from './support/workbench';

const { wb, step } = workbenchScenario({ name: 'kubernetes', lab: 'iris-train' });

void test('exports the train profile as a Kubernetes Job into an editor and says what is not carried', { timeout: 180_000 }, () => step(async () => {
  const w = wb();
  await w.runCommand('ML Lab: Export Profile as Kubernetes Job...');
  await w.pickQuickInputItem('train');
  const text = await waitFor('the Job manifest in the editor', async () => {
    const t = await w.editorText().catch(() => '');
    return /kind: Job/.test(t) && /sizeLimit: 1Gi/.test(t) ? t : undefined;
  }, 30_000);
  console.log(`[ui] screenshot: ${await w.screenshot('kubernetes-export')}`);
  assert.match(text, /^# Kubernetes Job for run profile "train" of \.vscode\/mllab\.yaml/);
  const job = parse(text) as { apiVersion: string; kind: string; metadata: { name: string }; spec: { template: { spec: { restartPolicy: string; containers: Array<{ image: string }> } } } };
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.metadata.name, 'iris-train');
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  assert.equal(job.spec.template.spec.containers[0].image, 'iris-train:v1');
  const notes = await w.readNotifications();
  const note = notes.find((n) => n.startsWith('Profile exported as the Kubernetes Job iris-train.'));
  assert.ok(note, `the note: ${notes.join(' | ')}`);
  assert.match(note, /Not carried: bind mount \.\/artifacts -> \/usr\/local\/app\/artifacts/);

  await w.runCommand('ML Lab: Copy Profile as kubectl Command...');
  await w.pickQuickInputItem('train');
  const copied = await waitFor('the copy notification', async () => (await w.readNotifications()).find((n) => n.startsWith('Copied kubectl apply for the Job iris-train')), 20_000);
  assert.ok(copied);
}));
