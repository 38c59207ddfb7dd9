import { runTable, lines } from './helpers';

const F = 'FROM python:3.12-slim';

runTable('ML002', [
  { name: 'pip install without --no-cache-dir', text: lines(F, 'RUN pip install -r requirements.txt'), fires: 1, line: 2, fix: lines(F, 'RUN pip install --no-cache-dir -r requirements.txt') },
  { name: 'pip3 and python -m pip', text: lines(F, 'RUN pip3 install a==1 && python -m pip install b==2'), fires: 1, fix: lines(F, 'RUN pip3 install --no-cache-dir a==1 && python -m pip install --no-cache-dir b==2') },
  { name: 'exec form', text: lines(F, 'RUN ["pip", "install", "a==1"]'), fires: 1, fix: lines(F, 'RUN ["pip", "install", "--no-cache-dir", "a==1"]') },
  { name: 'sh -c in exec form', text: lines(F, 'RUN ["sh", "-c", "pip install a==1"]'), fires: 1, fix: lines(F, 'RUN ["sh", "-c", "pip install --no-cache-dir a==1"]') },
  { name: 'heredoc', text: lines(F, 'RUN <<EOF', 'pip install a==1', 'EOF'), fires: 1, fix: lines(F, 'RUN <<EOF', 'pip install --no-cache-dir a==1', 'EOF') },
  { name: 'continuation lines', text: lines(F, 'RUN pip install \\', '    a==1 \\', '    b==2'), fires: 1, fix: lines(F, 'RUN pip install --no-cache-dir \\', '    a==1 \\', '    b==2') },
  { name: 'flag present passes', text: lines(F, 'RUN pip install --no-cache-dir a==1'), fires: false },
  { name: 'abbreviated --no-cache prefix passes', text: lines(F, 'RUN pip install --no-cache a==1'), fires: false },
  { name: 'general option before install passes', text: lines(F, 'RUN pip --no-cache-dir install a==1'), fires: false },
  { name: 'PIP_NO_CACHE_DIR env passes', text: lines(F, 'ENV PIP_NO_CACHE_DIR=1', 'RUN pip install a==1'), fires: false },
  { name: 'PIP_NO_CACHE_DIR inline passes', text: lines(F, 'RUN PIP_NO_CACHE_DIR=true pip install a==1'), fires: false },
  { name: 'PIP_NO_CACHE_DIR=0 does not count', text: lines(F, 'ENV PIP_NO_CACHE_DIR=0', 'RUN pip install a==1'), fires: 1 },
  { name: 'cache mount passes', text: lines(F, 'RUN --mount=type=cache,target=/root/.cache/pip pip install a==1'), fires: false },
  { name: 'pip download is not install', text: lines(F, 'RUN pip download a==1'), fires: false },
  { name: 'lower-case run', text: lines(F, 'run pip install a==1'), fires: 1 },
  { name: 'escape=` continuation', text: lines('# escape=`', F, 'RUN pip install `', '    a==1'), fires: 1, fix: lines('# escape=`', F, 'RUN pip install --no-cache-dir `', '    a==1') },
  // option values of --mount are CSV fields and may be quoted.
  { name: 'quoted cache mount target passes', text: lines(F, 'RUN --mount=type=cache,target="/root/.cache",sharing=locked pip install poetry==1.7.1'), fires: false },
  { name: 'whole quoted mount field passes', text: lines(F, 'RUN --mount=type=cache,"target=/root/.cache/pip" pip install a==1'), fires: false },
  { name: 'quoted target at the end of the flag passes', text: lines(F, 'RUN --mount=type=cache,target="/root/.cache/pip" pip install a==1'), fires: false },
  { name: 'a bind mount of the cache folder does not count', text: lines(F, 'RUN --mount=type=bind,target=/root/.cache/pip pip install a==1'), fires: 1 },
  { name: 'pip cache removed afterwards in the same RUN passes', text: lines(F, 'RUN pip install a==1 && rm -rf ~/.cache/pip'), fires: false },
  { name: '/root/.cache/pip removed afterwards passes', text: lines(F, 'RUN pip install a==1 \\', '    && rm -rf /root/.cache/pip/*'), fires: false },
  { name: 'pip cache purge afterwards passes', text: lines(F, 'RUN python -m pip install a==1 && pip cache purge'), fires: false },
  { name: 'cache removed before the install does not count', text: lines(F, 'RUN rm -rf ~/.cache/pip && pip install a==1'), fires: 1 },
  { name: 'cache removed in another RUN does not count', text: lines(F, 'RUN pip install a==1', 'RUN rm -rf /root/.cache/pip'), fires: 1 },
]);

runTable('ML003', [
  { name: 'bare names', text: lines(F, 'RUN pip install --no-cache-dir numpy pandas==2.2.2'), fires: 1, fix: lines(F, 'RUN pip install --no-cache-dir numpy==VERSION pandas==2.2.2') },
  {
    name: 'move into requirements.txt',
    text: lines(F, 'WORKDIR /app', 'RUN pip install --no-cache-dir numpy flask'),
    fires: 1,
    fixIndex: 1,
    fix: lines(F, 'WORKDIR /app', 'COPY requirements.txt .', 'RUN pip install -r requirements.txt --no-cache-dir'),
  },
  { name: 'quoted with extras', text: lines(F, 'RUN pip install --no-cache-dir "torch[cpu]"'), fires: 1, fix: lines(F, 'RUN pip install --no-cache-dir "torch[cpu]==VERSION"') },
  { name: 'pinned and ranged pass', text: lines(F, 'RUN pip install --no-cache-dir a==1 b~=2.0 "c>=3" "d<4"'), fires: false },
  { name: '-r, -e . and paths pass', text: lines(F, 'RUN pip install --no-cache-dir -r requirements.txt -e . ./pkg dist/x-1.0-py3-none-any.whl'), fires: false },
  { name: 'VCS URL with @ passes', text: lines(F, 'RUN pip install --no-cache-dir git+https://github.com/org/repo@v1.0 pkg@https://x/y.whl'), fires: false },
  { name: 'option values are not packages', text: lines(F, 'RUN pip install --no-cache-dir -i https://example.org/simple --target /opt/lib a==1'), fires: false },
  { name: 'variables are not checked', text: lines(F, 'RUN pip install --no-cache-dir $PKGS'), fires: false },
  { name: 'VCS URL without @ref', text: lines(F, 'RUN pip install --no-cache-dir git+https://github.com/org/repo'), fires: 1, fix: lines(F, 'RUN pip install --no-cache-dir git+https://github.com/org/repo@REF') },
  { name: 'VCS URL with a user but no ref', text: lines(F, 'RUN pip install --no-cache-dir git+ssh://git@github.com/org/repo.git#egg=repo'), fires: 1 },
  { name: 'VCS URL with a user and a ref passes', text: lines(F, 'RUN pip install --no-cache-dir git+ssh://git@github.com/org/repo.git@4f1c2e9#egg=repo'), fires: false },
  { name: 'direct reference name @ VCS URL without ref', text: lines(F, 'RUN pip install --no-cache-dir "repo @ git+https://github.com/org/repo"'), fires: 1 },
  { name: 'direct reference name @ VCS URL with ref passes', text: lines(F, 'RUN pip install --no-cache-dir repo@git+https://github.com/org/repo@v2.1'), fires: false },
  { name: 'upgrading the installer itself passes', text: lines(F, 'RUN pip install --no-cache-dir -U pip setuptools wheel'), fires: false },
  { name: 'python -m pip install --upgrade pip passes', text: lines(F, 'RUN python -m pip install --no-cache-dir --upgrade pip'), fires: false },
  { name: 'upgrading pip with other bare names reports only those', text: lines(F, 'RUN pip install --no-cache-dir --upgrade pip numpy'), fires: 1, fix: lines(F, 'RUN pip install --no-cache-dir --upgrade pip numpy==VERSION') },
  { name: 'installing setuptools without upgrade is still unpinned', text: lines(F, 'RUN pip install --no-cache-dir setuptools'), fires: 1 },
  { name: 'archive URL with a version in its file name passes', text: lines(F, 'RUN pip install --no-cache-dir https://github.com/org/repo/archive/refs/tags/v1.4.2.tar.gz'), fires: false },
  { name: 'archive URL without a version', text: lines(F, 'RUN pip install --no-cache-dir https://github.com/org/repo/archive/main.zip'), fires: 1 },
  { name: 'wheel URL passes', text: lines(F, 'RUN pip install --no-cache-dir https://download.pytorch.org/whl/cu118/torch-2.1.0%2Bcu118-cp310-cp310-linux_x86_64.whl'), fires: false },
]);

runTable('ML013', [
  { name: 'sklearn', text: lines(F, 'RUN pip install --no-cache-dir sklearn==1.4.0'), fires: 1, severity: 'error', fix: lines(F, 'RUN pip install --no-cache-dir scikit-learn==1.4.0') },
  { name: 'sklearn dummy version dropped', text: lines(F, 'RUN pip install --no-cache-dir sklearn==0.0'), fires: 1, fix: lines(F, 'RUN pip install --no-cache-dir scikit-learn') },
  { name: 'scikit-learn passes', text: lines(F, 'RUN pip install --no-cache-dir scikit-learn==1.4.0'), fires: false },
  { name: 'sklearn in a file name passes', text: lines(F, 'RUN python sklearn_demo.py'), fires: false },
]);

runTable('ML019', [
  { name: 'two pip RUNs', text: lines(F, 'RUN pip install --no-cache-dir a==1', 'RUN pip install --no-cache-dir b==2'), fires: 1, line: 3, fix: lines(F, 'RUN pip install --no-cache-dir a==1 && \\', '    pip install --no-cache-dir b==2') },
  { name: 'comments and blank lines do not break the sequence', text: lines(F, 'RUN pip install --no-cache-dir a==1', '', '# web', 'RUN pip install --no-cache-dir b==2'), fires: 1, line: 5, fix: lines(F, 'RUN pip install --no-cache-dir a==1 && \\', '# web', '    pip install --no-cache-dir b==2') },
  { name: 'three in a row: two findings', text: lines(F, 'RUN pip install --no-cache-dir a==1', 'RUN pip install --no-cache-dir b==2', 'RUN pip install --no-cache-dir c==3'), fires: 2 },
  { name: 'another instruction between passes', text: lines(F, 'RUN pip install --no-cache-dir a==1', 'COPY . .', 'RUN pip install --no-cache-dir b==2'), fires: false },
  { name: 'non-pip RUN between passes', text: lines(F, 'RUN pip install --no-cache-dir a==1', 'RUN echo hi', 'RUN pip install --no-cache-dir b==2'), fires: false },
  { name: 'different stages pass', text: lines(F, 'RUN pip install --no-cache-dir a==1', F, 'RUN pip install --no-cache-dir b==2'), fires: false },
]);

runTable('ML020', [
  { name: 'torch on python base', text: lines(F, 'RUN pip install --no-cache-dir torch==2.4.0'), fires: 1, fix: lines(F, 'RUN pip install --no-cache-dir torch==2.4.0 --index-url=https://download.pytorch.org/whl/cpu') },
  { name: 'torch with other packages uses extra-index-url', text: lines(F, 'RUN pip install --no-cache-dir torch==2.4.0 flask==3.0.0'), fires: 1, fix: lines(F, 'RUN pip install --no-cache-dir torch==2.4.0 flask==3.0.0 --extra-index-url=https://download.pytorch.org/whl/cpu') },
  { name: 'CPU index passes', text: lines(F, 'RUN pip install --no-cache-dir torch==2.4.0 --index-url https://download.pytorch.org/whl/cpu'), fires: false },
  { name: 'CUDA base passes', text: lines('FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04', 'RUN pip install --no-cache-dir torch==2.4.0'), fires: false },
  { name: 'stage built on a CUDA stage passes', text: lines('FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS base', 'FROM base', 'RUN pip install --no-cache-dir torch==2.4.0'), fires: false },
  { name: '+cpu version passes', text: lines(F, 'RUN pip install --no-cache-dir torch==2.4.0+cpu -f https://download.pytorch.org/whl/torch_stable.html'), fires: false },
  { name: 'torchvision alone is not torch', text: lines(F, 'RUN pip install --no-cache-dir torchmetrics==1.0'), fires: false },
  { name: 'a CUDA wheel index is a deliberate GPU choice', text: lines(F, "RUN pip install --no-cache-dir --index-url 'https://download.pytorch.org/whl/cu128' torch==2.8.0"), fires: false },
  { name: 'a ROCm wheel index too', text: lines(F, 'RUN pip install --no-cache-dir torch==2.4.0 --extra-index-url https://download.pytorch.org/whl/rocm6.1'), fires: false },
]);
