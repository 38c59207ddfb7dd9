import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTable, lines } from './helpers';
import { namesSecret } from '../../../src/core/dockerfile/rules/env';

const F = 'FROM python:3.12-slim';

runTable('ML016', [
  { name: 'legacy ENV', text: lines(F, 'ENV MODEL_DIR /models'), fires: 1, fix: lines(F, 'ENV MODEL_DIR=/models') },
  { name: 'legacy ENV with spaces', text: lines(F, 'ENV GREETING hello world'), fires: 1, fix: lines(F, 'ENV GREETING="hello world"') },
  { name: 'key=value passes', text: lines(F, 'ENV A=1 B="two words"'), fires: false },
  { name: 'lower-case env', text: lines(F, 'env A 1'), fires: 1, fix: lines(F, 'env A=1') },
]);

runTable('ML025', [
  { name: 'ENV HF_TOKEN', text: lines(F, 'ENV HF_TOKEN=abc'), fires: 1, fix: lines(F, '# HF_TOKEN is a secret: keep it out of the image (ENV values are stored in its history).', '#   build time: RUN --mount=type=secret,id=hf_token,env=HF_TOKEN <command>   with   docker build --secret id=hf_token,env=HF_TOKEN .', '#   run time:   docker run -e HF_TOKEN IMAGE   (or --env-file .env)') },
  { name: 'ARG WANDB_API_KEY', text: lines('ARG WANDB_API_KEY', F), fires: 1 },
  { name: 'one of several keys', text: lines(F, 'ENV A=1 KAGGLE_KEY=x'), fires: 1 },
  { name: 'public key passes', text: lines(F, 'ENV PUBLIC_KEY=abc SSH_KEY_FILE=/run/k TOKENIZER_VERSION=2'), fires: false },
  { name: 'words inside words pass', text: lines(F, 'ENV TOKENIZERS_PARALLELISM=false MONKEY=1'), fires: false },
]);

test('namesSecret: _-bounded words', () => {
  for (const n of ['HF_TOKEN', 'WANDB_API_KEY', 'KAGGLE_KEY', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'GIT_AUTH']) assert.ok(namesSecret(n), n);
  for (const n of ['TOKENIZERS_PARALLELISM', 'KEYBOARD', 'PUBLIC_KEY', 'KEY_FILE', 'TOKEN_VERSION', 'AUTHOR']) assert.ok(!namesSecret(n), n);
});
