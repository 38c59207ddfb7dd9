import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { GuidedDefaults, GuidedInput, guidedDefaults, isSensitiveMountSource, looksLikeDataMount } from '../../../src/core/run/guided';
import { parseMounts } from '../../../src/core/run/mounts';
import { parsePortBindings } from '../../../src/core/run/ports';

const base: GuidedInput = { image: 'x:v1', exposedPorts: {}, volumes: [], workingDir: '', imageLabels: {}, hasGpuRuntime: false };
const TRAIN_DOCKERFILE = `FROM python:3.11-slim
WORKDIR /usr/local/app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY train.py .
CMD ["python", "train.py"]
`;
const FLASK_DOCKERFILE = `FROM python:3.11-slim
WORKDIR /app
COPY app.py .
EXPOSE 8080
CMD ["flask", "run", "--host=0.0.0.0", "--port=8080"]
`;

type Expected = Partial<Omit<GuidedDefaults, 'suggestShm'>> & { suggestShm?: { size: string; why: RegExp } };
const cases: Array<{ name: string; input: Partial<GuidedInput>; expected: Expected }> = [
  { name: 'publishes each EXPOSEd port on the same host port, sorted', input: { exposedPorts: { '8888/tcp': {}, '6006/tcp': {} } }, expected: { ports: '6006:6006, 8888:8888' } },
  { name: 'keeps a udp protocol', input: { exposedPorts: { '53/udp': {} } }, expected: { ports: '53:53/udp' } },
  { name: 'gives no ports when nothing is exposed', input: {}, expected: { ports: '', mounts: '', offerGpus: false, isTraining: false } },
  { name: 'mounts a workspace folder on each VOLUME', input: { volumes: ['/data', '/models/'] }, expected: { mounts: './data:/data, ./models:/models' } },
  {
    name: 'adds ./artifacts -> <WORKDIR>/artifacts for a training image',
    input: { workingDir: '/usr/local/app', dockerfileText: TRAIN_DOCKERFILE },
    expected: { isTraining: true, mounts: './artifacts:/usr/local/app/artifacts' },
  },
  { name: 'uses /artifacts when the image has no WORKDIR', input: { dockerfileText: 'FROM python:3.11\nCMD python train.py\n' }, expected: { isTraining: true, mounts: './artifacts:/artifacts' } },
  { name: 'detects training from a copied train_model.py', input: { dockerfileText: 'FROM python:3.11\nCOPY src/train_model.py /app/\nCMD ["python", "/app/run.py"]\n' }, expected: { isTraining: true } },
  { name: "detects training from the image's Cmd", input: { imageCmd: ['python', 'fit.py'] }, expected: { isTraining: true } },
  {
    name: 'prefills VOLUMEs and ./artifacts for a CLI-built image from inspect alone (no Dockerfile)',
    input: { workingDir: '/usr/local/app', volumes: ['/data'], imageCmd: ['python', 'train.py'] },
    expected: { isTraining: true, mounts: './data:/data, ./artifacts:/usr/local/app/artifacts' },
  },
  { name: "detects training from a shell-form Cmd ('/bin/sh -c python train.py')", input: { imageCmd: ['/bin/sh', '-c', 'python -u train.py --epochs 3'] }, expected: { isTraining: true } },
  { name: 'detects training from an Entrypoint plus Cmd', input: { workingDir: '/app', imageCmd: ['python', '/app/scripts/train_iris.py', '--epochs', '2'] }, expected: { isTraining: true, mounts: './artifacts:/app/artifacts' } },
  { name: "does not take an image whose Cmd is just the interpreter for training", input: { workingDir: '/app', imageCmd: ['python3'] }, expected: { isTraining: false, mounts: '' } },
  { name: 'does not take a Flask app for training', input: { workingDir: '/app', dockerfileText: FLASK_DOCKERFILE }, expected: { isTraining: false, mounts: '' } },
  { name: 'does not repeat a VOLUME that already is <WORKDIR>/artifacts', input: { workingDir: '/app', volumes: ['/app/artifacts'], dockerfileText: 'FROM x\nCMD python train.py\n' }, expected: { mounts: './artifacts:/app/artifacts' } },
  { name: 'offers GPUs only with a GPU runtime', input: { hasGpuRuntime: true }, expected: { offerGpus: true } },
  { name: 'suggests 2g shm when requirements list torch', input: { requirementsText: 'numpy==1.26.4\ntorch==2.3.0  # cpu\n' }, expected: { suggestShm: { size: '2g', why: /bus errors/ } } },
  { name: 'suggests shm for torchvision with extras', input: { requirementsText: 'torchvision[all]>=0.18\n' }, expected: { suggestShm: { size: '2g', why: /64 MB/ } } },
  { name: 'suggests shm for a pytorch base image', input: { dockerfileText: 'FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime\nCMD python x.py\n' }, expected: { suggestShm: { size: '2g', why: /DataLoader/ } } },
  { name: 'suggests shm for pip install torch in the Dockerfile', input: { dockerfileText: 'FROM python:3.11\nRUN pip install torch==2.3.0 --index-url https://download.pytorch.org/whl/cpu\n' }, expected: { suggestShm: { size: '2g', why: /shared memory/ } } },
  { name: 'suggests no shm without torch', input: { requirementsText: 'scikit-learn==1.5.0\n# torch later\n', dockerfileText: TRAIN_DOCKERFILE }, expected: { suggestShm: undefined } },
  { name: 'ignores a torch mention in a comment', input: { dockerfileText: 'FROM python:3.11\n# RUN pip install torch\nCMD python x.py\n' }, expected: { suggestShm: undefined } },
];
for (const c of cases) {
  void test(`guidedDefaults ${c.name}`, () => {
    const out = guidedDefaults({ ...base, ...c.input });
    for (const [key, value] of Object.entries(c.expected)) {
      if (key === 'suggestShm' && value !== undefined) {
        const v = value as unknown as { size: string; why: RegExp };
        assert.equal(out.suggestShm?.size, v.size);
        assert.match(out.suggestShm?.why ?? '', v.why);
      } else assert.deepEqual(out[key as keyof GuidedDefaults], value, key);
    }
    // The defaults are valid input for the -p / -v parsers the next step uses.
    parsePortBindings(out.ports);
    parseMounts(out.mounts, '/w');
  });
}

const sensitive: Array<{ name: string; input: string; expected: RegExp | undefined }> = [
  { name: 'flags the host root', input: '/', expected: /whole host filesystem/ },
  { name: 'flags the home folder itself', input: '/home/me', expected: /whole home folder/ },
  { name: 'flags the home folder with a trailing slash', input: '/home/me/', expected: /whole home folder/ },
  { name: 'flags the Docker socket under /var/run', input: '/var/run/docker.sock', expected: /Docker socket/ },
  { name: 'flags the Docker socket under /run', input: '/run/docker.sock', expected: /root on this machine/ },
  { name: 'allows a folder inside home', input: '/home/me/labs/iris/artifacts', expected: undefined },
  { name: 'allows /tmp', input: '/tmp/x', expected: undefined },
];
for (const c of sensitive) {
  void test(`isSensitiveMountSource ${c.name}`, () => {
    const reason = isSensitiveMountSource(c.input, '/home/me');
    if (c.expected === undefined) assert.equal(reason, undefined);
    else assert.match(reason ?? '', c.expected);
  });
}

const dataCases: Array<{ name: string; input: string; expected: boolean }> = [
  { name: 'offers :ro for /data', input: '/data', expected: true },
  { name: 'offers :ro for a nested data folder', input: '/usr/local/app/data', expected: true },
  { name: 'offers :ro for datasets', input: '/datasets/', expected: true },
  { name: 'does not offer :ro for artifacts', input: '/usr/local/app/artifacts', expected: false },
  { name: 'does not offer :ro for a folder merely starting with data', input: '/database', expected: false },
];
for (const c of dataCases) {
  void test(`looksLikeDataMount ${c.name}`, () => assert.equal(looksLikeDataMount(c.input), c.expected));
}
