/**
 * Host tier, in a real extension host: log in to a local htpasswd registry started
 * here (the secret goes to SecretStorage, not the log), push by command, the Registries view
 * lists the repository and tag, pull by command, log out. Every prompt is answered through
 * command arguments.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MlLabApi } from '../../src/extension';
import type { Engine } from '../../src/engine/engine';
import type { RegistryNode } from '../../src/core/registry/tree';
import { runId, testEngine } from '../support/fixtures';
import { startLocalRegistry, type LocalRegistry } from '../support/localRegistry';

const EXTENSION_ID = 'ml-container-lab.ml-container-lab';
const TINY = process.env.MLLAB_TINY_IMAGE ?? 'mllab-test/busybox:1';
const RUN = runId('hostreg');
const USER = 'mllab-host';
const PASSWORD = `host-pw-${RUN}-X7`;

describe('registries in a real extension host', function () {
  this.timeout(60_000);
  let api: MlLabApi;
  let engine: Engine;
  let registry: LocalRegistry;
  let reference = '';
  const localTags: string[] = [];

  before(async () => {
    api = await vscode.extensions.getExtension<MlLabApi>(EXTENSION_ID)!.activate();
    engine = testEngine();
    registry = await startLocalRegistry(`host-${process.pid}`, { auth: { user: USER, password: PASSWORD } });
    reference = `${registry.host}/mllab-hosttest/busybox:${RUN}`;
    await vscode.workspace.getConfiguration().update('mlLab.registries', [registry.host], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const t of localTags) await engine.removeImage(t, { force: true }).catch(() => undefined);
    await vscode.commands.executeCommand('mlLab.registry.logout', registry?.host);
    await vscode.workspace.getConfiguration().update('mlLab.registries', undefined, vscode.ConfigurationTarget.Global);
    await registry?.stop();
  });

  it('refuses a wrong password at login and stores nothing', async () => {
    // The registry wrapper shows the error instead of throwing: check that nothing was stored.
    await vscode.commands.executeCommand('mlLab.registry.login', { server: registry.host, username: USER, password: 'wrong' });
    const node = api.registries.entries().find((e) => e.registry === registry.host);
    assert.equal(node?.user, undefined);
  });

  it('logs in after checking the credentials with /v2/, and keeps the password out of the log', async () => {
    const logged = await vscode.commands.executeCommand<string>('mlLab.registry.login', { server: registry.host, username: USER, password: PASSWORD });
    assert.equal(logged, registry.host);
    const entry = api.registries.entries().find((e) => e.registry === registry.host);
    assert.equal(entry?.user, USER);
    const roots = await api.registries.getChildren();
    const row = roots.find((n) => n.registry === registry.host);
    assert.equal(row?.contextValue, 'registry;loggedIn;');
    assert.match(row?.description ?? '', /logged in as mllab-host/);
  });

  it('pushes by command to the local registry with the stored credentials and returns the digest', async () => {
    const result = await vscode.commands.executeCommand<{ reference: string; digest?: string }>('mlLab.image.push', { image: TINY, target: reference });
    localTags.push(reference);
    assert.equal(result?.reference, reference);
    assert.match(result?.digest ?? '', /^sha256:[a-f0-9]{64}$/);
    assert.match(api.registryOutput(), /Pushed .* digest sha256:/);
  });

  it('lists the repository and its tag in the Registries view', async () => {
    const roots = await api.registries.getChildren();
    const reg = roots.find((n) => n.registry === registry.host)!;
    const repos = await api.registries.getChildren(reg);
    const repo = repos.find((n: RegistryNode) => n.label === 'mllab-hosttest/busybox');
    assert.ok(repo, `repositories: ${repos.map((r) => r.label).join(', ')}`);
    const tags = await api.registries.getChildren(repo);
    const tag = tags.find((t) => t.label === RUN);
    assert.ok(tag, `tags: ${tags.map((t) => t.label).join(', ')}`);
    assert.equal(tag.ref, reference);
    assert.equal(tag.contextValue, 'registryTag;');
    const hub = roots.find((n) => n.registry === 'docker.io')!;
    const hubKids = await api.registries.getChildren(hub);
    assert.equal(hubKids[0].kind, 'message');
  });

  it('pulls by command from a tag node after the local tag is removed', async () => {
    await engine.removeImage(reference);
    const tagNode: Partial<RegistryNode> = { kind: 'registryTag', ref: reference, registry: registry.host };
    const result = await vscode.commands.executeCommand<{ reference: string; digest?: string }>('mlLab.image.pull', tagNode);
    assert.equal(result?.reference, reference);
    assert.ok((await engine.listImages()).some((i) => i.repoTags.includes(reference)));
  });

  it('logs out: the view no longer shows the login, and a listing is refused', async () => {
    assert.equal(await vscode.commands.executeCommand('mlLab.registry.logout', registry.host), registry.host);
    const roots = await api.registries.getChildren();
    const reg = roots.find((n) => n.registry === registry.host)!;
    assert.equal(reg.contextValue, 'registry;');
    const kids = await api.registries.getChildren(reg);
    assert.equal(kids[0].kind, 'message');
    assert.match(kids[0].label, /refused the listing/);
  });

  it('never wrote the password to the registry output', () => {
    const text = api.registryOutput();
    assert.ok(text.length > 0);
    assert.ok(!text.includes(PASSWORD));
    assert.ok(!text.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')));
  });
});
