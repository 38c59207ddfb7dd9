/** BuildKit's build checks: one table per check, the cases of its docs page first (docs.docker.com/reference/build-checks/). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILD_CHECKS, buildCheckUrl, lintDockerfile } from '../../../src/core/dockerfile/index';
import { skippedChecks, variableUses } from '../../../src/core/dockerfile/buildChecks';
import { runTable, lines } from './helpers';

const on = { buildChecks: true } as const;
const cases = (c: Parameters<typeof runTable>[1]) => c.map((x) => ({ ...x, options: { ...on, ...x.options } }));

runTable('UndefinedVar', cases([
  { name: 'docs: $foo is an undefined build argument', text: lines('FROM scratch AS base', 'COPY $foo .'), fires: 1, line: 2 },
  { name: 'docs: declaring foo first passes', text: lines('FROM scratch AS base', 'ARG foo', 'COPY $foo .'), fires: false },
  { name: 'docs: ARG VERSION=$foo', text: lines('FROM scratch AS base', 'ARG VERSION=$foo'), fires: 1 },
  { name: 'a typo gets a did-you-mean', text: lines('FROM scratch', 'ENV PATH=$PAHT:/app/bin'), fires: 1 },
  { name: 'base image env read from the engine passes', text: lines('FROM python:3.12', 'ARG VERSION=$PYTHON_VERSION'), fires: false, options: { baseImages: { 'python:3.12': { env: ['PYTHON_VERSION', 'LANG'] } } } },
  { name: 'unknown base image env: silent (BuildKit would know it)', text: lines('FROM python:3.12', 'ARG VERSION=$PYTHON_VERSION'), fires: false },
  { name: 'shell-form RUN is the shell\'s business', text: lines('FROM scratch', 'RUN echo $HOME'), fires: false },
  { name: '${X:-default} is not undefined', text: lines('FROM scratch', 'WORKDIR ${APP_DIR:-/app}'), fires: false },
  { name: 'a parent stage\'s ENV is inherited', text: lines('FROM scratch AS base', 'ENV APP=/app', 'FROM base', 'WORKDIR $APP'), fires: false },
  { name: 'predefined platform args', text: lines('FROM scratch', 'COPY bin-$TARGETARCH /bin/app'), fires: false },
]));

test('UndefinedVar names the variable and suggests the near name', () => {
  const f = lintDockerfile(lines('FROM scratch', 'ENV PATH=$PAHT:/app/bin'), on).find((x) => x.rule === 'UndefinedVar');
  assert.equal(f?.message, "UndefinedVar: Usage of undefined variable '$PAHT' (did you mean $PATH?).");
});

runTable('UndefinedArgInFrom', cases([
  { name: 'docs: VARIANT undefined', text: lines('FROM node:22${VARIANT} AS jsbuilder'), fires: 1, line: 1 },
  { name: 'docs: VARIANT defined', text: lines('ARG VARIANT="-alpine3.20"', 'FROM node:22${VARIANT} AS jsbuilder'), fires: false },
  { name: 'misspelled built-in', text: lines('FROM --platform=$BULIDPLATFORM golang:1.22'), fires: 1 },
  { name: 'built-in platform args pass', text: lines('FROM --platform=$BUILDPLATFORM golang:1.22'), fires: false },
]));

test('UndefinedArgInFrom suggests the built-in it was meant to be', () => {
  const f = lintDockerfile(lines('FROM --platform=$BULIDPLATFORM golang:1.22'), on).find((x) => x.rule === 'UndefinedArgInFrom');
  assert.equal(f?.message, "UndefinedArgInFrom: FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?).");
});

runTable('InvalidDefaultArgInFrom', cases([
  { name: 'docs: ARG TAG without a default', text: lines('ARG TAG', 'FROM busybox:${TAG}'), fires: 1, line: 2 },
  { name: 'docs: a default passes', text: lines('ARG TAG=latest', 'FROM busybox:${TAG}'), fires: false },
  { name: 'docs: ${TAG:-latest} passes', text: lines('ARG TAG', 'FROM busybox:${TAG:-latest}'), fires: false },
  { name: 'whole image from an ARG without a default', text: lines('ARG BASE_IMAGE', 'FROM $BASE_IMAGE'), fires: 1 },
  { name: 'an optional suffix may be empty', text: lines('ARG VARIANT', 'FROM python:3.12${VARIANT}'), fires: false },
]));

runTable('DuplicateStageName', cases([
  { name: 'docs: two stages named builder', text: lines('FROM debian:latest AS builder', 'RUN apt-get update', 'FROM golang:latest AS builder'), fires: 1, line: 3 },
  { name: 'case-insensitive', text: lines('FROM debian:12 AS Build', 'FROM debian:12 AS build'), fires: 1 },
  { name: 'unique names pass', text: lines('FROM debian:12 AS a', 'FROM debian:12 AS b'), fires: false },
]));

runTable('ReservedStageName', cases([
  { name: 'docs: scratch', text: lines('FROM alpine AS scratch'), fires: 1 },
  { name: 'docs: context', text: lines('FROM alpine AS context'), fires: 1 },
  { name: 'other names pass', text: lines('FROM alpine AS builder'), fires: false },
]));

runTable('MultipleInstructionsDisallowed', cases([
  { name: 'docs: two ENTRYPOINTs', text: lines('FROM alpine', 'ENTRYPOINT ["echo", "Hello, Norway!"]', 'ENTRYPOINT ["echo", "Hello, Sweden!"]'), fires: 1, line: 2, fix: lines('FROM alpine', 'ENTRYPOINT ["echo", "Hello, Sweden!"]') },
  { name: 'three CMDs: the first two', text: lines('FROM alpine', 'CMD a', 'CMD b', 'CMD c'), fires: 2 },
  { name: 'one per stage passes', text: lines('FROM alpine AS a', 'CMD a', 'FROM alpine', 'CMD b'), fires: false },
  { name: 'two HEALTHCHECKs', text: lines('FROM alpine', 'HEALTHCHECK CMD true', 'HEALTHCHECK NONE'), fires: 1 },
]));

runTable('ConsistentInstructionCasing', cases([
  { name: 'docs: one lowercase among uppercase', text: lines('FROM alpine', 'run echo hello', 'CMD ["echo", "hi"]'), fires: 1, line: 2, fix: lines('FROM alpine', 'RUN echo hello', 'CMD ["echo", "hi"]') },
  { name: 'lowercase majority', text: lines('from alpine', 'run echo hello', 'CMD ["echo", "hi"]'), fires: 1, fix: lines('from alpine', 'run echo hello', 'cmd ["echo", "hi"]') },
  { name: 'consistent passes', text: lines('FROM alpine', 'RUN echo hello'), fires: false },
]));

runTable('MaintainerDeprecated', cases([
  { name: 'docs: MAINTAINER', text: lines('FROM alpine', 'MAINTAINER moby@example.com'), fires: 1, line: 2, fix: lines('FROM alpine', 'LABEL org.opencontainers.image.authors="moby@example.com"') },
  { name: 'the label passes', text: lines('FROM alpine', 'LABEL org.opencontainers.image.authors="moby@example.com"'), fires: false },
]));

runTable('LegacyKeyValueFormat', cases([
  { name: 'LABEL key value', text: lines('FROM alpine', 'LABEL maintainer Jane Doe'), fires: 1, fix: lines('FROM alpine', 'LABEL maintainer="Jane Doe"') },
  { name: 'LABEL key=value passes', text: lines('FROM alpine', 'LABEL maintainer="Jane Doe"'), fires: false },
  { name: 'ENV key value is ML016\'s finding (no double)', text: lines('FROM alpine', 'ENV MY_VAR my-value'), fires: false },
  { name: 'ENV key value when ML016 is off', text: lines('FROM alpine', 'ENV MY_VAR my-value'), fires: 1, fix: lines('FROM alpine', 'ENV MY_VAR="my-value"'), options: { severities: { ML016: 'off' } } },
]));

runTable('NoEmptyContinuation', cases([
  { name: 'docs: empty line in a RUN', text: lines('FROM alpine', 'EXPOSE \\', '', '80'), fires: 1, fix: lines('FROM alpine', 'EXPOSE \\', '80') },
  { name: 'a here-document body may have empty lines', text: lines('FROM alpine', 'RUN <<EOF', 'echo a', '', 'echo b', 'EOF'), fires: false },
  { name: 'continuations without empty lines pass', text: lines('FROM alpine', 'RUN apk add \\', '  curl'), fires: false },
]));

test('every build check has a test table above and BuildKit\'s page URL', () => {
  assert.deepEqual(BUILD_CHECKS.map((r) => r.id).sort(), ['ConsistentInstructionCasing', 'DuplicateStageName', 'InvalidDefaultArgInFrom', 'LegacyKeyValueFormat', 'MaintainerDeprecated', 'MultipleInstructionsDisallowed', 'NoEmptyContinuation', 'ReservedStageName', 'UndefinedArgInFrom', 'UndefinedVar']);
  assert.equal(buildCheckUrl('UndefinedArgInFrom'), 'https://docs.docker.com/go/dockerfile/rule/undefined-arg-in-from/');
});

test('build checks are off unless asked for (the CLI and the corpus check lab guidance only)', () => {
  assert.deepEqual(lintDockerfile(lines('FROM alpine AS scratch', 'MAINTAINER x')).map((f) => f.rule).filter((r) => !r.startsWith('ML')), []);
});

test("BuildKit's # check=skip directive silences named checks, or all", () => {
  const text = (d: string) => lines(d, 'FROM alpine AS scratch', 'MAINTAINER x');
  const rules = (t: string) => lintDockerfile(t, on).map((f) => f.rule).filter((r) => !r.startsWith('ML')).sort();
  assert.deepEqual(rules(text('# check=skip=ReservedStageName')), ['MaintainerDeprecated']);
  assert.deepEqual(rules(text('# check=skip=all')), []);
  assert.deepEqual([...(skippedChecks(['# syntax=docker/dockerfile:1', '# check=skip=A, B', 'FROM x']) as Set<string>)], ['A', 'B']);
});

test('variableUses skips escaped dollars and single quotes, marks defaults', () => {
  assert.deepEqual(variableUses(`a \\$NOT '$NOPE' "$YES" \${D:-x} $E`), [{ name: 'YES', withDefault: false }, { name: 'D', withDefault: true }, { name: 'E', withDefault: false }]);
});
