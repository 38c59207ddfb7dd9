import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { bytesToQuantity, isValidLabel, looksSecret, nanoCpusToQuantity, toDnsLabel } from '../../../src/core/kubernetes/names';

describe('looksSecret (BuildKit SecretsUsedInArgOrEnv words)', () => {
  const secret = ['HF_TOKEN', 'WANDB_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'PASSWORD', 'DB_PASSWORD', 'db_passwd', 'GITHUB_AUTH', 'OPENAI_APIKEY', 'SECRET', 'GCP_CREDENTIALS', 'token'];
  const plain = ['EPOCHS', 'TOKENIZER', 'KEYBOARD', 'MONKEY', 'PUBLIC_KEY', 'KEY_FILE', 'PASSWORD_FILE', 'TOKEN_VERSION', 'HF_HOME', 'AUTHOR'];
  for (const n of secret) it(`${n} looks secret`, () => assert.equal(looksSecret(n), true));
  for (const n of plain) it(`${n} does not`, () => assert.equal(looksSecret(n), false));
});

describe('toDnsLabel', () => {
  const cases: Array<[string, string]> = [
    ['iris-train', 'iris-train'],
    ['Iris_Train.v2', 'iris-train-v2'],
    ['__x__', 'x'],
    ['__', 'job'],
    ['a'.repeat(70), 'a'.repeat(63)],
    [`${'a'.repeat(62)}_b`, 'a'.repeat(62)],
  ];
  for (const [input, want] of cases) it(`${input.slice(0, 20)} -> ${want.slice(0, 20)}`, () => assert.equal(toDnsLabel(input), want));
});

describe('isValidLabel', () => {
  const cases: Array<[string, string, boolean]> = [
    ['course', 'ml101', true],
    ['app.kubernetes.io/name', 'iris-train', true],
    ['org.mllab.created-by', 'ml-container-lab', true],
    ['course', '', true],
    ['org.opencontainers.image.url', 'https://example.test/x', false],
    ['Bad_Prefix/x', 'y', false],
    ['x', 'a'.repeat(64), false],
    ['-x', 'y', false],
  ];
  for (const [k, v, want] of cases) it(`${k}=${v.slice(0, 20)} is ${want ? 'valid' : 'not valid'}`, () => assert.equal(isValidLabel(k, v), want));
});

describe('quantities', () => {
  it('writes bytes with the largest exact binary suffix', () => {
    assert.deepEqual([1024 ** 3, 512 * 1024 ** 2, 2048, 1000, 1536 * 1024 ** 2].map(bytesToQuantity), ['1Gi', '512Mi', '2Ki', '1000', '1536Mi']);
  });
  it('writes CPUs as whole numbers or millicores, rounded up', () => {
    assert.deepEqual([2e9, 1.5e9, 1e6, 1000000500].map(nanoCpusToQuantity), ['2', '1500m', '1m', '1001m']);
  });
});
