/**
 * The engine image listing behind completion after `FROM` (src/ui/language/editing/sources.ts,
 * which imports no `vscode`): once a listing has arrived, typing never waits on the engine again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageSources } from '../../../src/ui/language/editing/sources';
import type { ImageSummary } from '../../../src/core/engineTypes';

const image = (tag: string): ImageSummary => ({ id: `sha256:${'0'.repeat(64)}`, repoTags: [tag], repoDigests: [], created: 0, size: 0, labels: {}, containers: 0 }) as unknown as ImageSummary;

test('an expired image listing is answered from the last one at once while a fresh one is fetched', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  let calls = 0;
  let release: ((v: ImageSummary[]) => void) | undefined;
  const sources = {
    listImages: () => {
      calls++;
      return calls === 1 ? Promise.resolve([image('lab/a:1')]) : new Promise<ImageSummary[]>((r) => { release = r; });
    },
    inspectImage: () => Promise.reject(new Error('unused')),
    credentials: () => Promise.resolve(undefined),
  };
  const s = new ImageSources(sources);
  assert.deepEqual((await s.engineImages()).map((i) => i.repoTags[0]), ['lab/a:1']);
  t.mock.timers.tick(11_000); // past the 10 s the listing is reused
  // The engine has not answered the second listing: the first is served without waiting.
  assert.deepEqual((await s.engineImages()).map((i) => i.repoTags[0]), ['lab/a:1']);
  assert.equal(calls, 2);
  release!([image('lab/b:2')]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual((await s.engineImages()).map((i) => i.repoTags[0]), ['lab/b:2']);
  assert.equal(calls, 2, 'the fresh listing is reused');
});
