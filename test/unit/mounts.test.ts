import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { MountSpec, formatMount, parseMount, parseMounts, toEngineMounts } from '../../src/core/run/mounts';
import { UserError } from '../../src/core/errors';

const WS = '/home/student/iris-train';

const validCases: Array<{ name: string; input: string; workspace?: string; expected: MountSpec }> = [
  {
    name: 'resolves ./x against the workspace folder as a bind mount',
    input: './artifacts:/usr/local/app/artifacts',
    workspace: WS,
    expected: { type: 'bind', source: `${WS}/artifacts`, target: '/usr/local/app/artifacts', readOnly: false },
  },
  {
    name: 'resolves ../x against the workspace folder',
    input: '../shared-data:/data:ro',
    workspace: WS,
    expected: { type: 'bind', source: '/home/student/shared-data', target: '/data', readOnly: true },
  },
  { name: 'reads "." as the workspace folder', input: '.:/work', workspace: WS, expected: { type: 'bind', source: WS, target: '/work', readOnly: false } },
  { name: 'treats a dot-file name as a relative host path, like Docker', input: '.cache:/root/.cache', workspace: WS, expected: { type: 'bind', source: `${WS}/.cache`, target: '/root/.cache', readOnly: false } },
  { name: 'keeps an absolute host path without a workspace', input: '/srv/datasets/:/data', expected: { type: 'bind', source: '/srv/datasets', target: '/data', readOnly: false } },
  { name: 'resolves ~/x against the home folder', input: '~/models:/models:ro', expected: { type: 'bind', source: path.join(os.homedir(), 'models'), target: '/models', readOnly: true } },
  { name: 'resolves ~ alone to the home folder', input: '~:/home/app', expected: { type: 'bind', source: os.homedir(), target: '/home/app', readOnly: false } },
  { name: 'treats a plain name as a NAMED VOLUME, not a folder', input: 'artifacts:/x', workspace: WS, expected: { type: 'volume', source: 'artifacts', target: '/x', readOnly: false } },
  { name: 'reads a named volume with dots, dashes and underscores', input: 'my_vol-1.2:/data:rw', expected: { type: 'volume', source: 'my_vol-1.2', target: '/data', readOnly: false } },
  { name: 'reads :ro as read-only', input: 'ckpts:/ckpts:ro', expected: { type: 'volume', source: 'ckpts', target: '/ckpts', readOnly: true } },
  { name: 'normalises the container path', input: 'data:/usr/local//app/./data/', expected: { type: 'volume', source: 'data', target: '/usr/local/app/data', readOnly: false } },
];

for (const c of validCases) {
  void test(`parseMount ${c.name}`, () => {
    assert.deepEqual(parseMount(c.input, c.workspace), c.expected);
  });
}

const invalidCases: Array<{ name: string; input: string; workspace?: string; expected: RegExp }> = [
  { name: 'rejects a host path without container path', input: './a', workspace: WS, expected: /^"\.\/a": missing container path/ },
  { name: 'rejects an empty container path', input: './a:', workspace: WS, expected: /^"\.\/a:": missing container path/ },
  { name: 'rejects a relative container path', input: './a:app/data', workspace: WS, expected: /container path "app\/data" must be absolute/ },
  { name: 'rejects "/" as container path', input: 'vol:/', expected: /container path cannot be "\/"/ },
  { name: 'rejects an empty source', input: ':/data', expected: /host path or volume name before ":" is empty/ },
  { name: 'rejects empty text', input: ' ', expected: /the mount is empty/ },
  { name: 'rejects the z option clearly', input: './a:/a:z', workspace: WS, expected: /mount option "z" is not supported; use ro or rw/ },
  { name: 'rejects an empty option', input: 'vol:/a:', expected: /option after the last ":" is empty/ },
  { name: 'rejects too many colons', input: 'C:\\data:/data:ro:x', expected: /too many ":"/ },
  { name: 'rejects a relative host path when no folder is open', input: './artifacts:/out', expected: /host path "\.\/artifacts" is relative and no folder is open/ },
  { name: 'rejects a volume name with invalid characters', input: 'my vol:/data', expected: /volume name "my vol" may contain only/ },
  { name: 'rejects a one-character volume name, per Docker\'s rule', input: 'a:/data', expected: /volume name "a"/ },
  { name: 'rejects a volume name starting with a dash', input: '-vol:/data', expected: /volume name "-vol"/ },
  { name: 'rejects ~user paths', input: '~bob/x:/x', expected: /only ~ and ~\/path are supported/ },
  { name: 'rejects a port-like spec 80:abc as a mount', input: '80:abc', expected: /container path "abc" must be absolute/ },
  { name: 'rejects 70000:80 (a port spec typed into mounts)', input: '70000:80', expected: /container path "80" must be absolute/ },
  { name: 'rejects :80', input: ':80', expected: /host path or volume name before ":" is empty/ },
];

for (const c of invalidCases) {
  void test(`parseMount ${c.name}`, () => {
    assert.throws(
      () => parseMount(c.input, c.workspace),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, c.expected);
        assert.match(err.message, /expected host-path-or-volume:\/container\/path\[:ro\]/);
        return true;
      },
    );
  });
}

void test('parseMount tells the user to open a folder or use an absolute path', () => {
  assert.throws(() => parseMount('./a:/a', undefined), (err: unknown) => err instanceof UserError && /Open a folder, or use an absolute host path/.test(err.hint ?? ''));
});

void test('parseMount hints at ./ when a volume name is invalid', () => {
  assert.throws(() => parseMount('my data:/d', WS), (err: unknown) => err instanceof UserError && /start the path with \.\/ or \//.test(err.hint ?? ''));
});

const listCases: Array<{ name: string; input: string; expected: MountSpec[] }> = [
  { name: 'gives [] for empty text', input: '', expected: [] },
  {
    name: 'splits on commas and whitespace',
    input: './data:/data:ro, ckpts:/ckpts\n/tmp:/tmp',
    expected: [
      { type: 'bind', source: `${WS}/data`, target: '/data', readOnly: true },
      { type: 'volume', source: 'ckpts', target: '/ckpts', readOnly: false },
      { type: 'bind', source: '/tmp', target: '/tmp', readOnly: false },
    ],
  },
];

for (const c of listCases) {
  void test(`parseMounts ${c.name}`, () => {
    assert.deepEqual(parseMounts(c.input, WS), c.expected);
  });
}

void test('parseMounts rejects the list when one mount is bad', () => {
  assert.throws(() => parseMounts('./a:/a ./b', WS), /"\.\/b": missing container path/);
});

void test('toEngineMounts gives the HostConfig.Mounts shape', () => {
  assert.deepEqual(
    toEngineMounts([
      { type: 'bind', source: '/w/artifacts', target: '/usr/local/app/artifacts', readOnly: false },
      { type: 'volume', source: 'ckpts', target: '/ckpts', readOnly: true },
    ]),
    [
      { Type: 'bind', Source: '/w/artifacts', Target: '/usr/local/app/artifacts', ReadOnly: false },
      { Type: 'volume', Source: 'ckpts', Target: '/ckpts', ReadOnly: true },
    ],
  );
});

const formatCases: Array<{ name: string; input: MountSpec; expected: string }> = [
  { name: 'formats a read-write bind mount', input: { type: 'bind', source: '/w/a', target: '/a', readOnly: false }, expected: '/w/a:/a' },
  { name: 'formats a read-only named volume', input: { type: 'volume', source: 'ckpts', target: '/ckpts', readOnly: true }, expected: 'ckpts:/ckpts:ro' },
];

for (const c of formatCases) {
  void test(`formatMount ${c.name}`, () => {
    assert.equal(formatMount(c.input), c.expected);
    assert.deepEqual(parseMount(formatMount(c.input), undefined), c.input, 'parses back');
  });
}
