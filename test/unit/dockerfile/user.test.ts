import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTable, lines, findingsOf } from './helpers';

const F = 'FROM python:3.12-slim';

runTable('ML005', [
  { name: 'no USER', text: lines(F, 'WORKDIR /app', 'COPY app.py .', 'CMD ["python", "app.py"]'), fires: 1, line: 1, fix: lines(F, 'WORKDIR /app', 'COPY app.py .', 'RUN useradd --create-home --uid 1000 app && chown -R app:app /app', 'USER app', 'CMD ["python", "app.py"]') },
  { name: 'no USER and no CMD: at the end', text: lines(F, 'RUN echo hi'), fires: 1, fix: lines(F, 'RUN echo hi', 'RUN useradd --create-home --uid 1000 app', 'USER app') },
  { name: 'last USER is root', text: lines(F, 'RUN useradd -m trainer', 'USER trainer', 'USER root', 'RUN apt-get update', 'CMD ["python"]'), fires: 1, line: 4, fix: lines(F, 'RUN useradd -m trainer', 'USER trainer', 'USER root', 'RUN apt-get update', 'USER trainer', 'CMD ["python"]') },
  { name: 'USER 0 counts as root', text: lines(F, 'USER 0'), fires: 1 },
  { name: 'alpine uses adduser', text: lines('FROM python:3.12-alpine', 'CMD ["python"]'), fires: 1, fix: lines('FROM python:3.12-alpine', 'RUN adduser -D -u 1000 app', 'USER app', 'CMD ["python"]') },
  { name: 'non-root USER passes', text: lines(F, 'RUN useradd -m app', 'USER app', 'CMD ["python"]'), fires: false },
  { name: 'USER with uid:gid passes', text: lines(F, 'USER 1000:1000'), fires: false },
  { name: 'only the final stage counts', text: lines(F + ' AS build', 'RUN echo', F, 'USER 1000'), fires: false },
  { name: 'USER inherited from a parent stage passes', text: lines(F + ' AS base', 'USER 1000', 'FROM base', 'CMD ["python"]'), fires: false },
  { name: 'Jupyter Docker Stacks base passes', text: lines('FROM quay.io/jupyter/scipy-notebook:2024-07-29', 'RUN pip install --no-cache-dir x==1'), fires: false },
  { name: 'jupyter/* base switched to root', text: lines('FROM jupyter/base-notebook:2024-07-29', 'USER root', 'RUN apt-get update'), fires: 1, fix: lines('FROM jupyter/base-notebook:2024-07-29', 'USER root', 'RUN apt-get update', 'USER jovyan') },
  { name: 'mambaorg/micromamba already switches user', text: lines('FROM mambaorg/micromamba:1.5.8', 'COPY env.yaml /tmp/env.yaml', 'RUN micromamba install -y -n base -f /tmp/env.yaml && micromamba clean --all --yes'), fires: false },
  { name: 'micromamba ending as root switches back to $MAMBA_USER', text: lines('FROM mambaorg/micromamba:1.5.8', 'USER root', 'RUN apt-get update', 'CMD ["python"]'), fires: 1, line: 2, fix: lines('FROM mambaorg/micromamba:1.5.8', 'USER root', 'RUN apt-get update', 'USER $MAMBA_USER', 'CMD ["python"]') },
  { name: 'an image merely named like micromamba does not count', text: lines('FROM example/micromamba-tools:1.0', 'CMD ["python"]'), fires: 1 },
  { name: 'base image named through nested global ARGs (quay.io/jupyter/...)', text: lines('ARG REGISTRY=quay.io', 'ARG OWNER=jupyter', 'ARG BASE_IMAGE=$REGISTRY/$OWNER/scipy-notebook', 'FROM $BASE_IMAGE', 'RUN pip install --no-cache-dir a==1'), fires: false },
  { name: 'a files-only scratch image runs nothing', text: lines('FROM python:3.12-slim AS build', 'RUN pip wheel -w /wheels numpy==2.0.0', 'FROM scratch', 'COPY --from=build /wheels /'), fires: false },
  { name: 'a scratch image with an ENTRYPOINT runs as root', text: lines('FROM golang:1.22 AS build', 'RUN go build -o /app .', 'FROM scratch', 'COPY --from=build /app /app', 'ENTRYPOINT ["/app"]'), fires: 1, line: 3 },
]);

// The base image's user: the engine's Config.User first, the documented list second.
runTable('ML005', [
  { name: 'pytorch/torchserve ends with USER model-server', text: lines('FROM pytorch/torchserve:0.11.0-cpu', 'COPY model-store /home/model-server/model-store', 'CMD ["torchserve", "--start"]'), fires: false },
  { name: '$BASE_IMAGE resolving to micromamba', text: lines('ARG BASE_IMAGE=mambaorg/micromamba:1.5.8', 'FROM $BASE_IMAGE', 'CMD ["python"]'), fires: false },
  { name: 'engine Config.User of a non-root user', text: lines('FROM lab/trainer:1', 'CMD ["python"]'), fires: false, options: { baseImages: { 'lab/trainer:1': { user: 'trainer' } } } },
  { name: 'engine Config.User empty overrides the list', text: lines('FROM pytorch/torchserve:custom', 'CMD ["python"]'), fires: 1, options: { baseImages: { 'pytorch/torchserve:custom': { user: '' } } } },
  { name: 'engine Config.User 0:0 is root', text: lines('FROM lab/trainer:1', 'CMD ["python"]'), fires: 1, options: { baseImages: { 'lab/trainer:1': { user: '0:0' } } } },
  { name: 'back to the engine user after USER root', text: lines('FROM lab/trainer:1', 'USER root', 'RUN apt-get update', 'CMD ["python"]'), fires: 1, fix: lines('FROM lab/trainer:1', 'USER root', 'RUN apt-get update', 'USER trainer', 'CMD ["python"]'), options: { baseImages: { 'lab/trainer:1': { user: 'trainer' } } } },
]);

void test('ML005 says how the base image user was decided', () => {
  const listed = findingsOf('ML005', lines('FROM python:3.12-slim', 'CMD ["python"]'));
  assert.match(listed[0].message, /python:3\.12-slim is not on the engine and not among the base images known to switch user: jupyter\/\*, mambaorg\/micromamba, pytorch\/torchserve/);
  const engine = findingsOf('ML005', lines('FROM lab/x:1', 'CMD ["python"]'), { baseImages: { 'lab/x:1': { user: '' } } });
  assert.match(engine[0].message, /the engine says lab\/x:1 runs as root: its Config\.User is empty/);
});
