/** package.json `contributes` and src/core/ids.ts name the same commands, views and settings. */
import { engineTags } from '../../src/core/contexts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CommandIds, SettingIds, ViewIds } from '../../src/core/ids';

const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    views: Record<string, Array<{ id: string; name: string }>>;
    configuration: { properties: Record<string, unknown> };
    menus: Record<string, Array<{ command?: string; submenu?: string; when?: string }>>;
    submenus?: Array<{ id: string }>;
  };
  activationEvents: string[];
  engines: { vscode: string };
};

describe('package.json contributions', () => {
  it('contributes exactly the commands in CommandIds', () => {
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), Object.values(CommandIds).sort());
  });
  it('names every command mlLab.<noun>.<verb> under the category "ML Lab"', () => {
    for (const c of pkg.contributes.commands) {
      assert.match(c.command, /^mlLab\.[a-z]+\.[a-z][A-Za-z]*$/, c.command);
      assert.equal(c.category, 'ML Lab', c.command);
    }
  });
  it('contributes the views in ViewIds under the mlLab view container', () => {
    assert.deepEqual(pkg.contributes.views[ViewIds.container].map((v) => v.id), [ViewIds.engines, ViewIds.images, ViewIds.containers, ViewIds.volumes, ViewIds.networks, ViewIds.registries, ViewIds.runs, ViewIds.swarm]);
  });
  it('declares every setting in SettingIds', () => {
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties).sort(), Object.values(SettingIds).sort());
  });
  it('activates lazily: on its views, languages, the task list, a profiles file, a restored panel or its debug type, never on every startup', () => {
    assert.ok(!pkg.activationEvents.includes('*') && !pkg.activationEvents.includes('onStartupFinished'));
    // onFileSystem: only when a container file is opened (an editor restored after a reload)
    const lazy = /^(onView:mlLab\.|onWebviewPanel:mlLab\.|onLanguage:|onCommand:workbench\.action\.tasks\.runTask$|workspaceContains:\.vscode\/mllab\.yaml$|onDebugResolve:mlLab$|onDebugInitialConfigurations$|onFileSystem:mllab-container$)/;
    for (const e of pkg.activationEvents) assert.match(e, lazy);
  });

  it('menus name only contributed commands', () => {
    const known = new Set(pkg.contributes.commands.map((c) => c.command));
    const submenus = new Set((pkg.contributes.submenus ?? []).map((s) => s.id));
    for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
      for (const i of items) assert.ok(i.submenu ? submenus.has(i.submenu) : known.has(i.command ?? ''), `${menu}: ${i.command ?? i.submenu}`);
    }
  });
  it('context-menu regexes match the tags the tree models produce', () => {
    // tags as src/core/tree/models.ts builds them
    const tags: Record<string, string[]> = {
      images: ['image;', 'image;inUse;', 'image;dangling;'],
      containers: ['container;running;hasPorts;', 'container;exited;', 'container;paused;', 'container;created;', 'containerImage;', 'composeProject;', 'app;jupyter;',
        // src/core/tree/files.ts
        'containerFiles;running;', 'containerFolder;running;deletable;', 'containerFolder;mount;', 'containerFile;running;deletable;', 'containerFile;deletable;'],
      volumes: ['volume;', 'volume;inUse;'],
      // src/core/tree/networks.ts
      networks: ['network;', 'network;inUse;', 'network;builtin;inUse;', 'networkContainer;'],
      // src/core/registry/tree.ts
      registries: ['registry;', 'registry;loggedIn;', 'registryRepository;', 'registryTag;'],
      // src/core/contexts.ts engineTags
      engines: (['setting', 'default', 'context'] as const).flatMap((kind) => [false, true].map((current) => engineTags({ kind, current }))),
      // src/ui/runs/runsView.ts
      runs: ['run;exited;', 'run;exited;hasArtifacts;', 'run;running;', 'runGroup;'],
      // src/core/swarm/tree.ts
      swarm: ['swarmGroup;nodes;', 'swarmNode;worker;up;', 'swarmNode;manager;down;', 'swarmService;job;mllab;', 'swarmService;', 'swarmTask;complete;', 'swarmTask;failed;artifacts;'],
    };
    for (const i of pkg.contributes.menus['view/item/context']) {
      const m = /view == mlLab\.views\.(\w+) && viewItem =~ \/(.*)\/$/.exec(i.when ?? '');
      assert.ok(m, `${i.command}: when clause ${i.when}`);
      const re = new RegExp(m[2]);
      assert.ok(tags[m[1]].some((t) => re.test(t)), `${i.command} in ${m[1]} matches no node: ${m[2]}`);
    }
  });
});
