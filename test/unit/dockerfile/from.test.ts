import { runTable, lines } from './helpers';

runTable('ML001', [
  { name: 'fires on an untagged image', text: lines('FROM python', 'CMD ["python"]'), fires: 1, line: 1, fix: lines('FROM python:3.12-slim', 'CMD ["python"]') },
  { name: 'fires on :latest', text: lines('FROM ubuntu:latest'), fires: 1, fix: lines('FROM ubuntu:TAG') },
  { name: 'resolves ARG defaults and fixes the ARG', text: lines('ARG BASE_IMAGE=python', 'FROM ${BASE_IMAGE}'), fires: 1, line: 2, fix: lines('ARG BASE_IMAGE=python:3.12-slim', 'FROM ${BASE_IMAGE}') },
  { name: 'fixes a quoted ARG default inside its quotes', text: lines('ARG BASE="python:latest"', 'FROM $BASE AS build'), fires: 1, fix: lines('ARG BASE="python:3.12-slim"', 'FROM $BASE AS build') },
  { name: 'passes a tagged image', text: lines('FROM python:3.12-slim'), fires: false },
  { name: 'passes a digest', text: lines('FROM python@sha256:abcdef'), fires: false },
  { name: 'passes scratch', text: lines('FROM scratch'), fires: false },
  { name: 'passes a previous stage name', text: lines('FROM python:3.12 AS base', 'FROM base'), fires: false },
  { name: 'passes an ARG without default', text: lines('ARG BASE', 'FROM $BASE'), fires: false },
  { name: 'passes ARG-built tagged image', text: lines('ARG V=3.12', 'FROM python:${V}-slim'), fires: false },
  { name: 'registry with port is not a tag', text: lines('FROM localhost:5000/team/img'), fires: 1, fix: lines('FROM localhost:5000/team/img:TAG') },
  { name: 'lower-case from works', text: lines('from python'), fires: 1 },
  { name: 'leaves nvidia/cuda to ML018', text: lines('FROM nvidia/cuda'), fires: false },
]);

runTable('ML017', [
  { name: 'FROM with lower-case as', text: lines('FROM python:3.12 as build'), fires: 1, fix: lines('FROM python:3.12 AS build') },
  { name: 'from with upper-case AS', text: lines('from python:3.12 AS build'), fires: 1, fix: lines('from python:3.12 as build') },
  { name: 'matching casing passes', text: lines('FROM python:3.12 AS build', 'from python:3.12 as b2'), fires: false },
  { name: 'mixed-case keyword is not checked', text: lines('From python:3.12 as build'), fires: false },
]);

runTable('ML018', [
  { name: 'untagged nvidia/cuda is an error', text: lines('FROM nvidia/cuda'), fires: 1, severity: 'error', fix: lines('FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04') },
  { name: 'short tag keeps the version', text: lines('FROM nvidia/cuda:12.1.0'), fires: 1, severity: 'error', fix: lines('FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04') },
  { name: 'latest is an error', text: lines('FROM nvidia/cuda:latest'), fires: 1, severity: 'error' },
  { name: 'full runtime tag passes', text: lines('FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04'), fires: false },
  { name: 'cudnn runtime tag passes', text: lines('FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04'), fires: false },
  { name: 'devel final stage is information', text: lines('FROM nvidia/cuda:12.4.1-devel-ubuntu22.04', 'CMD ["python3", "app.py"]'), fires: 1, severity: 'information', fix: lines('FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04', 'CMD ["python3", "app.py"]') },
  {
    name: 'devel final stage: multi-stage fix',
    text: lines('FROM nvidia/cuda:12.4.1-devel-ubuntu22.04', 'WORKDIR /srv', 'CMD ["python3", "app.py"]'),
    fires: 1,
    fixIndex: 1,
    fix: lines('FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS build', 'WORKDIR /srv', 'CMD ["python3", "app.py"]', '', 'FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS runtime', 'WORKDIR /srv', '# Copy only what the app needs at run time (code, model, Python environment) from the build stage:', 'COPY --from=build /srv /srv', 'CMD ["python3", "app.py"]'),
  },
  { name: 'devel build stage with runtime final passes', text: lines('FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS build', 'FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04'), fires: false },
  { name: 'ARG-built CUDA image', text: lines('ARG CUDA=12.4.1', 'FROM nvidia/cuda:${CUDA}-devel-ubuntu22.04'), fires: 1, severity: 'information' },
]);
