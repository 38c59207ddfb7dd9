import { runTable, lines } from './helpers';

const F = 'FROM python:3.12-slim';

runTable('ML009', [
  { name: 'apt-get install without the flag', text: lines(F, 'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*'), fires: 1, fix: lines(F, 'RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*') },
  { name: 'flag present passes', text: lines(F, 'RUN apt-get install -y --no-install-recommends curl'), fires: false },
  { name: 'apt config option passes', text: lines(F, 'RUN apt-get install -y -o APT::Install-Recommends=false curl'), fires: false },
  { name: 'sudo apt-get', text: lines(F, 'RUN sudo apt-get install -y curl'), fires: 1 },
]);

runTable('ML010', [
  { name: 'no list cleanup', text: lines(F, 'RUN apt-get update && apt-get install -y --no-install-recommends curl'), fires: 1, fix: lines(F, 'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*') },
  { name: 'trailing comment is kept after the command', text: lines(F, 'RUN apt-get install -y --no-install-recommends curl # tools'), fires: 1, fix: lines(F, 'RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* # tools') },
  { name: 'heredoc gets a new line', text: lines(F, 'RUN <<EOF', 'apt-get update', 'apt-get install -y --no-install-recommends curl', 'EOF'), fires: 1, fix: lines(F, 'RUN <<EOF', 'apt-get update', 'apt-get install -y --no-install-recommends curl', 'rm -rf /var/lib/apt/lists/*', 'EOF') },
  { name: 'exec form becomes shell form', text: lines(F, 'RUN ["apt-get", "install", "-y", "--no-install-recommends", "curl"]'), fires: 1, fix: lines(F, 'RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*') },
  { name: 'cleanup present passes', text: lines(F, 'RUN apt-get update && apt-get install -y --no-install-recommends curl \\', '    && rm -rf /var/lib/apt/lists/*'), fires: false },
  { name: 'cache mount passes', text: lines(F, 'RUN --mount=type=cache,target=/var/lib/apt/lists apt-get install -y --no-install-recommends curl'), fires: false },
  { name: 'apt-get update alone passes', text: lines(F, 'RUN apt-get update'), fires: false },
]);

runTable('ML015', [
  { name: 'apt install', text: lines(F, 'RUN apt update && apt install -y curl'), fires: 1, fix: lines(F, 'RUN apt-get update && apt-get install -y curl') },
  { name: 'apt full-upgrade', text: lines(F, 'RUN apt full-upgrade -y'), fires: 1, fix: lines(F, 'RUN apt-get dist-upgrade -y') },
  { name: 'apt search goes to apt-cache', text: lines(F, 'RUN apt search curl'), fires: 1, fix: lines(F, 'RUN apt-cache search curl') },
  { name: 'apt-get passes', text: lines(F, 'RUN apt-get update'), fires: false },
  { name: 'apt as an argument passes', text: lines(F, 'RUN echo apt'), fires: false },
]);

runTable('ML021', [
  { name: 'conda install without clean', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN conda install -y numpy=1.26'), fires: 1, fix: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN conda install -y numpy=1.26 && conda clean -afy') },
  { name: 'mamba uses mamba clean', text: lines('FROM mambaorg/micromamba:1.5.8', 'RUN mamba install -y numpy'), fires: 1, fix: lines('FROM mambaorg/micromamba:1.5.8', 'RUN mamba install -y numpy && mamba clean -afy') },
  { name: 'conda env create', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN conda env create -f environment.yml'), fires: 1 },
  { name: 'clean present passes', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN conda install -y numpy && conda clean --all -y'), fires: false },
  { name: 'conda list passes', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN conda list'), fires: false },
]);
