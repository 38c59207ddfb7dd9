import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatTransferSpec, parseDownloadSpec, parseUploadSpec, type TransferSpec } from '../../../src/core/transfer/spec';
import { UserError } from '../../../src/core/errors';

const WS = '/home/student/iris-train';

const uploads: Array<{ input: string; workspace?: string; expected: Omit<TransferSpec, 'text'> }> = [
  { input: './data:/app/data', workspace: WS, expected: { local: `${WS}/data`, container: '/app/data' } },
  { input: 'data:/app/data/', workspace: WS, expected: { local: `${WS}/data`, container: '/app/data' } },
  { input: ' ../shared/train.csv : /app/train.csv ', workspace: WS, expected: { local: '/home/student/shared/train.csv', container: '/app/train.csv' } },
  { input: '.:/work', workspace: WS, expected: { local: WS, container: '/work' } },
  { input: '/srv/datasets/:/data', expected: { local: '/srv/datasets', container: '/data' } },
  { input: '~/models:/models', expected: { local: path.join(os.homedir(), 'models'), container: '/models' } },
  { input: './data:/app/./x/../data', workspace: WS, expected: { local: `${WS}/data`, container: '/app/data' } },
];
for (const c of uploads) {
  test(`upload "${c.input}" -> ${c.expected.local} into ${c.expected.container}`, () => {
    const got = parseUploadSpec(c.input, c.workspace);
    assert.deepEqual({ local: got.local, container: got.container }, c.expected);
  });
}

const downloads: Array<{ input: string; workspace?: string; expected: Omit<TransferSpec, 'text'> }> = [
  { input: '/app/artifacts:./artifacts', workspace: WS, expected: { container: '/app/artifacts', local: `${WS}/artifacts` } },
  { input: '/usr/local/app/artifacts/:artifacts/run-1', workspace: WS, expected: { container: '/usr/local/app/artifacts', local: `${WS}/artifacts/run-1` } },
  { input: '/app/model.pt:/tmp/out/model.pt', expected: { container: '/app/model.pt', local: '/tmp/out/model.pt' } },
];
for (const c of downloads) {
  test(`download "${c.input}" -> ${c.expected.container} into ${c.expected.local}`, () => {
    const got = parseDownloadSpec(c.input, c.workspace);
    assert.deepEqual({ container: got.container, local: got.local }, c.expected);
  });
}

const bad: Array<{ name: string; parse: () => unknown; message: RegExp; hint?: RegExp }> = [
  { name: 'an empty upload', parse: () => parseUploadSpec('  ', WS), message: /the spec is empty; expected workspace-path:\/container\/path/ },
  { name: 'an upload without ":"', parse: () => parseUploadSpec('./data', WS), message: /no ":" between/ },
  { name: 'a Windows path', parse: () => parseUploadSpec('C:\\data:/app/data', WS), message: /more than one ":"/ },
  { name: 'an empty container side', parse: () => parseUploadSpec('./data:', WS), message: /the second path is empty/ },
  { name: 'a relative container path', parse: () => parseUploadSpec('./data:app/data', WS), message: /container path "app\/data" must be absolute/ },
  { name: 'a swapped upload', parse: () => parseUploadSpec('/app/data:./data', WS), message: /must be absolute/, hint: /write the workspace path first, e\.g\. \.\/data:\/app\/data/ },
  { name: 'a swapped download', parse: () => parseDownloadSpec('./artifacts:/app/artifacts', WS), message: /container path "\.\/artifacts" must be absolute/, hint: /write the container path first, e\.g\. \/app\/artifacts:\.\/artifacts/ },
  { name: '"/" as the container path', parse: () => parseDownloadSpec('/:./all', WS), message: /cannot be "\/"/, hint: /Name the folder to copy/ },
  { name: 'a relative path with no folder open', parse: () => parseDownloadSpec('/app/artifacts:./artifacts', undefined), message: /relative and no folder is open/, hint: /Open a folder/ },
  { name: '~user', parse: () => parseUploadSpec('~bob/data:/data', WS), message: /not ~user/ },
];
for (const c of bad) {
  test(`refuses ${c.name} with what to write instead`, () => {
    assert.throws(c.parse, (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, c.message);
      assert.match(err.hint ?? '', c.hint ?? /Write it as/);
      return true;
    });
  });
}

test('formats specs back with workspace-relative paths', () => {
  assert.equal(formatTransferSpec(parseUploadSpec('./data:/app/data', WS), 'upload', WS), './data:/app/data');
  assert.equal(formatTransferSpec(parseDownloadSpec('/app/a:/tmp/a', WS), 'download', WS), '/app/a:/tmp/a');
});
