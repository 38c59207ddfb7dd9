import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ProfileInput, saveProfile } from '../../../src/core/run/profileFile';
import { parseProfiles } from '../../../src/core/run/profile';
import { UserError } from '../../../src/core/errors';

const TRAIN: ProfileInput = {
  image: 'iris-train:v1',
  run: { name: 'iris-train', command: ['python', 'train.py'], ports: ['4000:8080'], volumes: ['./artifacts:/usr/local/app/artifacts'], env: { EPOCHS: '20' }, user: '1000:1000', shmSize: '2g', gpus: 'all', rm: true },
};

const EXISTING = `# Lab profiles: edit freely
version: 1

profiles:
  # serving the model
  serve:
    image: iris-serve:v1 # the API
    run: { ports: [ "4000:8080" ] }

  train:
    image: old:v1
`;

const cases: Array<{ name: string; input: { text: string; name: string; profile: ProfileInput }; expected: string }> = [
  {
    name: 'creates version and profiles in an empty file, lists in flow style, port-like text quoted',
    input: { text: '', name: 'train', profile: TRAIN },
    expected: `version: 1
profiles:
  train:
    image: iris-train:v1
    run:
      name: iris-train
      command: [ python, train.py ]
      user: "1000:1000"
      ports: [ "4000:8080" ]
      volumes: [ ./artifacts:/usr/local/app/artifacts ]
      env:
        EPOCHS: "20"
      gpus: all
      shmSize: 2g
      rm: true
`,
  },
  {
    name: 'keeps a leading comment of an otherwise empty file',
    input: { text: '# profiles for week 3\n', name: 'p', profile: { image: 'a:v1' } },
    expected: '# profiles for week 3\n\nversion: 1\nprofiles:\n  p:\n    image: a:v1\n',
  },
  {
    name: 'adds a new profile at the end, keeping comments, blank lines and order',
    input: { text: EXISTING, name: 'eval', profile: { image: 'iris-train:v1', run: { command: 'python eval.py' } } },
    expected: `${EXISTING}  eval:\n    image: iris-train:v1\n    run:\n      command: python eval.py\n`,
  },
  {
    name: 'replaces an existing profile in place',
    input: { text: EXISTING, name: 'train', profile: { image: 'iris-train:v2' } },
    expected: EXISTING.replace('old:v1', 'iris-train:v2'),
  },
  {
    name: 'adds profiles: to a file that has only version',
    input: { text: 'version: 1\n', name: 'p', profile: { image: 'a:v1' } },
    expected: 'version: 1\nprofiles:\n  p:\n    image: a:v1\n',
  },
  {
    name: 'writes fields in the documented order and leaves out empty lists and maps',
    input: { text: '', name: 'p', profile: { run: { rm: true, ports: [], env: {}, name: 'x1' }, build: { tag: 'a:v1', dockerfile: 'train.dockerfile' }, description: 'd' } },
    expected: 'version: 1\nprofiles:\n  p:\n    description: d\n    build:\n      dockerfile: train.dockerfile\n      tag: a:v1\n    run:\n      name: x1\n      rm: true\n',
  },
];
for (const c of cases) {
  void test(`saveProfile ${c.name}`, () => {
    const out = saveProfile(c.input.text, c.input.name, c.input.profile);
    assert.equal(out, c.expected);
    const parsed = parseProfiles(out, { workspaceFolder: '/w' });
    assert.deepEqual(parsed.errors, [], 'the saved file parses without errors');
    assert.ok(parsed.profiles.some((p) => p.name === c.input.name), 'the saved profile is there');
  });
}

void test('saveProfile round-trips the saved values through the parser', () => {
  const { profiles } = parseProfiles(saveProfile('', 'train', TRAIN), { workspaceFolder: '/w' });
  const run = profiles[0].run;
  assert.equal(run.user, '1000:1000');
  assert.deepEqual(run.ports, [{ hostPort: 4000, containerPort: 8080, protocol: 'tcp' }]);
  assert.equal(run.shmSize, 2 * 1024 ** 3);
  assert.deepEqual(run.cmd, ['python', 'train.py']);
});

const bad: Array<{ name: string; input: { text: string; name: string }; expected: RegExp }> = [
  { name: 'refuses a file with YAML errors', input: { text: 'profiles: [oops\n', name: 'p' }, expected: /has YAML errors .*fix them before saving/ },
  { name: 'refuses a file whose top level is a list', input: { text: '- a\n', name: 'p' }, expected: /should be a mapping/ },
  { name: 'refuses profiles that is a list', input: { text: 'profiles: [a]\n', name: 'p' }, expected: /"profiles" .* is not a mapping/ },
  { name: 'refuses an invalid profile name', input: { text: '', name: 'my profile' }, expected: /Profile name "my profile" is not valid/ },
];
for (const c of bad) {
  void test(`saveProfile ${c.name}`, () => {
    assert.throws(() => saveProfile(c.input.text, c.input.name, { image: 'a:v1' }), (e: unknown) => e instanceof UserError && c.expected.test(e.message));
  });
}
