/**
 * The one public Engine is joined from one class per resource (src/engine/engine.ts). A method
 * defined in two of them, or one that hides a connection method, would silently replace the
 * other when they are joined: this test names any such clash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine';
import { EngineBase } from '../../src/engine/connection';
import { ImagesApi } from '../../src/engine/images';
import { BuildApi } from '../../src/engine/build';
import { ContainersApi } from '../../src/engine/containers';
import { VolumesApi } from '../../src/engine/volumes';
import { NetworksApi } from '../../src/engine/networks';
import { EventsApi } from '../../src/engine/events';
import { TransferApi } from '../../src/engine/transfer';
import { SwarmApi } from '../../src/engine/swarm';
import { StatsApi } from '../../src/engine/stats';
import { FilesApi } from '../../src/engine/files';

const resources = { ImagesApi, BuildApi, ContainersApi, VolumesApi, NetworksApi, EventsApi, TransferApi, SwarmApi, StatsApi, FilesApi };
const own = (c: { prototype: object }) => Object.getOwnPropertyNames(c.prototype).filter((n) => n !== 'constructor');

test('no method is defined by two resource classes, nor hides a connection method', () => {
  const seen = new Map<string, string>(own(EngineBase).map((n) => [n, 'EngineBase']));
  const clashes: string[] = [];
  for (const [name, cls] of Object.entries(resources)) {
    for (const m of own(cls)) {
      const first = seen.get(m);
      if (first) clashes.push(`${m}: ${first} and ${name}`);
      else seen.set(m, name);
    }
  }
  assert.deepEqual(clashes, []);
});

test('Engine has every resource method, taken from its own class', () => {
  for (const [name, cls] of Object.entries(resources)) {
    for (const m of own(cls)) {
      assert.equal((Engine.prototype as unknown as Record<string, unknown>)[m], (cls.prototype as unknown as Record<string, unknown>)[m], `${name}.${m}`);
    }
  }
});
