import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseProfiles } from '../../src/core/run/profile';
import { engineNamed, type EngineEntry } from '../../src/core/contexts';
import { UserError } from '../../src/core/errors';

const file = (engine: string) => `version: 1\nprofiles:\n  train:\n    image: iris-train:v1\n    engine: ${engine}\n  serve:\n    image: iris-serve:v1\n`;

describe('engine: in run profiles', () => {
  it('a profile names its engine; one without runs on the current engine', () => {
    const { profiles, errors } = parseProfiles(file('gpu-box'));
    assert.deepEqual(errors, []);
    assert.equal(profiles.find((p) => p.name === 'train')?.engine, 'gpu-box');
    assert.equal(profiles.find((p) => p.name === 'serve')?.engine, undefined);
  });

  for (const name of ['default', 'gpu.box+2', 'mlLab.engine.dockerHost']) {
    it(`accepts the engine name ${name}`, () => assert.deepEqual(parseProfiles(file(name)).errors, []));
  }

  const bad: Array<{ value: string; message: RegExp }> = [
    { value: '"-gpu"', message: /"-gpu" is not valid for profiles.train.engine: write the name of a Docker context/ },
    { value: '"ssh://me@gpu-box"', message: /"ssh:\/\/me@gpu-box" is not valid for profiles.train.engine/ },
    { value: '42', message: /profiles\.train\.engine/ },
  ];
  for (const c of bad) {
    it(`rejects engine: ${c.value} at its line, with the expected form`, () => {
      const { profiles, errors } = parseProfiles(file(c.value));
      assert.equal(profiles.some((p) => p.name === 'train'), false);
      assert.equal(errors.length, 1);
      assert.match(errors[0].message, c.message);
      assert.equal(errors[0].line, 5);
      assert.match(errors[0].expected ?? '', /Docker context/);
    });
  }

  const entries: EngineEntry[] = [
    { id: 'default', label: 'default', kind: 'default', current: true, cliCurrent: true, connection: { address: { kind: 'socket', socketPath: '/var/run/docker.sock' }, source: 'default', describe: 'unix:///var/run/docker.sock' } },
    { id: 'context:gpu-box', label: 'gpu-box', kind: 'context', current: false, cliCurrent: false, connection: { address: { kind: 'ssh', host: 'gpu-box' }, source: 'context', contextName: 'gpu-box', describe: 'ssh://gpu-box (Docker context "gpu-box")' } },
    { id: 'context:broken', label: 'broken', kind: 'context', current: false, cliCurrent: false, error: 'meta.json has no Docker endpoint' },
  ];

  it('finds the engine by context name or entry id', () => {
    assert.equal(engineNamed(entries, 'gpu-box', 'train').id, 'context:gpu-box');
    assert.equal(engineNamed(entries, 'context:gpu-box', 'train').id, 'context:gpu-box');
    assert.equal(engineNamed(entries, 'default', 'train').id, 'default');
  });

  it('an unknown engine: the message names it, the known ones and how to add it', () => {
    assert.throws(() => engineNamed(entries, 'cloud', 'train'), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.message, 'Profile train runs on the engine "cloud", which is not a Docker context nor an entry of the Engines view (there are: default, gpu-box, broken).');
      assert.match(e.hint ?? '', /Add Engine.*docker context create cloud/);
      return true;
    });
  });

  it('an engine that cannot be used says why', () => {
    assert.throws(() => engineNamed(entries, 'broken', 'train'), /which cannot be used: meta.json has no Docker endpoint/);
  });
});
