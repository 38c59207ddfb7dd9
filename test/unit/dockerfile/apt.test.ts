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
  { name: 'quoted cache mount of the lists passes', text: lines(F, 'RUN --mount=type=cache,target="/var/lib/apt/lists" apt-get update && apt-get install -y --no-install-recommends curl'), fires: false },
  { name: 'tmpfs mount of the lists passes', text: lines(F, 'RUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends curl'), fires: false },
  { name: 'builder stage copied selectively passes', text: lines(F + ' AS build', 'RUN apt-get update && apt-get install -y --no-install-recommends gcc', 'RUN pip wheel -w /wheels numpy==2.0.0', F, 'COPY --from=build /wheels /wheels'), fires: false },
  { name: 'a stage the final stage builds FROM counts', text: lines(F + ' AS base', 'RUN apt-get update && apt-get install -y --no-install-recommends curl', 'FROM base', 'CMD ["python"]'), fires: 1, line: 2 },
  { name: 'find /var/lib/apt/lists -delete passes', text: lines(F, 'RUN apt-get update && apt-get install -y --no-install-recommends curl \\', '    && find /var/cache/apt/archives /var/lib/apt/lists -not -name lock -type f -delete'), fires: false },
  { name: 'apt-get clean alone keeps the lists', text: lines(F, 'RUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean'), fires: 1 },
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
  // every conda/mamba/micromamba command that downloads packages
  { name: 'micromamba install', text: lines('FROM mambaorg/micromamba:1.5.8', 'RUN micromamba install -y -n base -f /tmp/env.yaml'), fires: 1, fix: lines('FROM mambaorg/micromamba:1.5.8', 'RUN micromamba install -y -n base -f /tmp/env.yaml && micromamba clean --all --yes') },
  { name: 'micromamba create', text: lines('FROM mambaorg/micromamba:1.5.8', 'RUN micromamba create -y -n ml python=3.11'), fires: 1 },
  { name: 'conda update', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN conda update -y --all'), fires: 1 },
  { name: 'conda upgrade', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN conda upgrade -y conda'), fires: 1 },
  { name: 'mamba env update', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN mamba env update -n base -f environment.yml'), fires: 1 },
  { name: 'conda by its full path', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN /opt/conda/bin/conda install -y numpy'), fires: 1 },
  { name: 'quoted cache mount of the package cache passes', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN --mount=type=cache,target="/opt/conda/pkgs" conda install -y numpy'), fires: false },
  { name: 'conda activate and run do not download', text: lines('FROM continuumio/miniconda3:24.7.1-0', 'RUN conda run -n base python -V && conda list'), fires: false },
]);
