import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import * as ts from 'typescript';
// The batch/v1 Job schema of the Kubernetes OpenAPI document, as JSON Schema compiled by ajv
// (kubernetes-models, generated from the Kubernetes API's OpenAPI spec; not written here).
import { Job as JobModel } from 'kubernetes-models/batch/v1';
import { parseProfiles, type Profile } from '../../../src/core/run/profile';
import { exportNote, jobManifestYaml, kubectlApplyCommand, profileToJob, resolveImageDigest, type ImageDigest } from '../../../src/core/kubernetes/job';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const IRIS = path.join(ROOT, 'test', 'fixtures', 'labs', 'iris-train');
const ID = `sha256:${'a1'.repeat(32)}`;
const DIGEST = `sha256:${'b2'.repeat(32)}`;

function profileOf(yamlText: string, name: string, workspaceFolder = '/w/lab'): Profile {
  const { profiles, errors } = parseProfiles(yamlText, { workspaceFolder });
  assert.deepEqual(errors, []);
  const p = profiles.find((x) => x.name === name);
  assert.ok(p, `profile ${name}`);
  return p;
}

/** Validates against the Job schema; throws with every schema error. */
function validateJob(job: unknown): void {
  new JobModel(job as ConstructorParameters<typeof JobModel>[0]).validate();
}

/**
 * The JSON Schema of the Kubernetes OpenAPI document does not forbid unknown fields
 * (no additionalProperties: false), so a misspelt field would pass it. This checks every field
 * name too: each Job as a fresh object literal typed as kubernetes-types' Job, compiled with
 * TypeScript, whose excess-property check reports any field the API types do not know.
 * @returns the compiler's messages; [] when every field is known
 */
function unknownFields(jobs: unknown[]): string[] {
  const file = path.join(ROOT, '__job-field-check.ts'); // virtual: never written
  const text = `import type { Job } from 'kubernetes-types/batch/v1';\n${jobs.map((j, i) => `export const job${i}: Job = ${JSON.stringify(j)};`).join('\n')}\n`;
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, types: [], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (f, lang, ...rest) => (f === file ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang, ...rest));
  host.fileExists = (f) => f === file || fileExists(f);
  return ts.getPreEmitDiagnostics(ts.createProgram([file], options, host)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const irisTrain = () => profileOf(readFileSync(path.join(IRIS, '.vscode', 'mllab.yaml'), 'utf8'), 'train', IRIS);

const FULL = `version: 1
profiles:
  finetune:
    image: registry.example:5000/course/bert-finetune:v3
    run:
      name: BERT_finetune
      entrypoint: ["python", "-u"]
      command: ["finetune.py", "--epochs", "3"]
      workdir: /workspace
      user: "1000:1000"
      ports: ["6006:6006", "5353/udp"]
      volumes: ["./data:/workspace/data:ro", "hf_cache:/root/.cache/huggingface", "Results:/workspace/out"]
      env: { EPOCHS: "3", HF_TOKEN: hf_dont_print_me, WANDB_API_KEY: wandb_dont_print_me, PASSWORD: pw_dont_print_me, PUBLIC_KEY: ssh-ed25519 }
      envFiles: [".env"]
      gpus: 2
      shmSize: 2g
      memory: 16g
      cpus: 3.5
      restart: on-failure:3
      labels: { course: ml101, "org.opencontainers.image.url": "https://example.test/x" }
`;
const full = () => profileOf(FULL, 'finetune');

describe('profileToJob: the iris lab\'s train profile', () => {
  const image: ImageDigest = { kind: 'imageId', id: ID };
  const out = () => profileToJob(irisTrain(), { image, workspaceFolder: IRIS, profilesFile: '.vscode/mllab.yaml' });

  it('is a batch/v1 Job the Kubernetes Job schema accepts', () => {
    validateJob(out().job);
  });
  it('runs the profile\'s image with its env, a 1Gi memory-backed /dev/shm, no restart and no retry', () => {
    const { job } = out();
    assert.equal(job.metadata?.name, 'iris-train');
    assert.equal(job.spec?.backoffLimit, 0);
    const pod = job.spec!.template.spec!;
    assert.equal(pod.restartPolicy, 'Never');
    const c = pod.containers[0];
    assert.equal(c.image, 'iris-train:v1');
    assert.deepEqual(c.env, [{ name: 'EPOCHS', value: '20' }]);
    assert.deepEqual(pod.volumes, [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }]);
    assert.deepEqual(c.volumeMounts, [{ name: 'dshm', mountPath: '/dev/shm' }]);
    assert.equal(c.command, undefined, 'the image\'s ENTRYPOINT and CMD stay');
  });
  it('labels the Job and its Pods with app.kubernetes.io/*, the profile and the profile\'s labels', () => {
    const { job } = out();
    const want = { 'app.kubernetes.io/name': 'iris-train', 'app.kubernetes.io/instance': 'iris-train', 'app.kubernetes.io/version': 'v1', 'mllab.org/profile': 'train', course: 'ml101' };
    assert.deepEqual(job.metadata?.labels, want);
    assert.deepEqual(job.spec?.template.metadata?.labels, want);
  });
  it('says the bind mount is not carried, in the manifest and in the note', () => {
    const exported = out();
    const text = jobManifestYaml(exported);
    assert.match(text, /# Not carried: bind mount \.\/artifacts -> \/usr\/local\/app\/artifacts/);
    assert.match(exportNote(exported), /Not carried: bind mount \.\/artifacts -> \/usr\/local\/app\/artifacts\. A Pod runs on a cluster node/);
  });
  it('names the profile and the local image ID at the top, and says it is not pushed', () => {
    const text = jobManifestYaml(out());
    const top = text.split('\n').slice(0, 6).join('\n');
    assert.match(top, /^# Kubernetes Job for run profile "train" of \.vscode\/mllab\.yaml/);
    assert.ok(top.includes(`image ID ${ID} (local: not pushed, so no registry digest)`), top);
    assert.match(text, /kubectl apply -f/);
  });
  it('round-trips through yaml: parse(manifest) deep-equals the Job', () => {
    const exported = out();
    assert.deepEqual(parse(jobManifestYaml(exported)), exported.job);
  });
});

describe('profileToJob: GPUs, shm, volumes, secrets, ports, limits', () => {
  const image: ImageDigest = { kind: 'repoDigest', reference: `registry.example:5000/course/bert-finetune@${DIGEST}`, digest: DIGEST };
  const out = () => profileToJob(full(), { image, workspaceFolder: '/w/lab' });

  it('is valid against the Job schema and round-trips through yaml', () => {
    const exported = out();
    validateJob(exported.job);
    assert.deepEqual(parse(jobManifestYaml(exported)), exported.job);
  });
  it('pulls the image by registry digest and names the digest at the top', () => {
    const exported = out();
    assert.equal(exported.job.spec!.template.spec!.containers[0].image, `registry.example:5000/course/bert-finetune@${DIGEST}`);
    assert.ok(jobManifestYaml(exported).split('\n').slice(0, 4).join('\n').includes(`registry digest ${DIGEST}`));
  });
  it('maps entrypoint/command to command/args, workdir, and a numeric user to the security context', () => {
    const c = out().job.spec!.template.spec!.containers[0];
    assert.equal(c.name, 'bert-finetune');
    assert.deepEqual(c.command, ['python', '-u']);
    assert.deepEqual(c.args, ['finetune.py', '--epochs', '3']);
    assert.equal(c.workingDir, '/workspace');
    assert.deepEqual(c.securityContext, { runAsUser: 1000, runAsGroup: 1000 });
  });
  it('asks for GPUs as nvidia.com/gpu limits, with memory and CPU', () => {
    const c = out().job.spec!.template.spec!.containers[0];
    assert.deepEqual(c.resources, { limits: { memory: '16Gi', cpu: '3500m', 'nvidia.com/gpu': '2' } });
  });
  it('mounts /dev/shm from a memory emptyDir and named volumes as PersistentVolumeClaims, and leaves the bind mount out', () => {
    const exported = out();
    const pod = exported.job.spec!.template.spec!;
    assert.deepEqual(pod.volumes, [
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } },
      { name: 'hf-cache', persistentVolumeClaim: { claimName: 'hf-cache' } },
      { name: 'results', persistentVolumeClaim: { claimName: 'results' } },
    ]);
    assert.deepEqual(pod.containers[0].volumeMounts, [
      { name: 'dshm', mountPath: '/dev/shm' },
      { name: 'hf-cache', mountPath: '/root/.cache/huggingface' },
      { name: 'results', mountPath: '/workspace/out' },
    ]);
    assert.deepEqual(exported.claims, ['hf-cache', 'results']);
    const text = jobManifestYaml(exported);
    assert.match(text, /# Create the PersistentVolumeClaims hf-cache, results first/);
    assert.match(text, /# Not carried: bind mount \.\/data -> \/workspace\/data/);
    assert.ok(exported.notes.some((n) => /hf_cache is the PersistentVolumeClaim hf-cache/.test(n)));
  });
  it('reads secret-looking env from a Secret, says which to create, and never writes the values', () => {
    const exported = out();
    const env = exported.job.spec!.template.spec!.containers[0].env;
    assert.deepEqual(env, [
      { name: 'EPOCHS', value: '3' },
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'bert-finetune-secrets', key: 'HF_TOKEN' } } },
      { name: 'WANDB_API_KEY', valueFrom: { secretKeyRef: { name: 'bert-finetune-secrets', key: 'WANDB_API_KEY' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'bert-finetune-secrets', key: 'PASSWORD' } } },
      { name: 'PUBLIC_KEY', value: 'ssh-ed25519' },
    ]);
    const cmd = 'kubectl create secret generic bert-finetune-secrets --from-literal=HF_TOKEN="$HF_TOKEN" --from-literal=WANDB_API_KEY="$WANDB_API_KEY" --from-literal=PASSWORD="$PASSWORD"';
    assert.equal(exported.secrets[0].command, cmd);
    assert.ok(exportNote(exported).includes(cmd));
    const everything = jobManifestYaml(exported) + exportNote(exported) + JSON.stringify(exported);
    assert.doesNotMatch(everything, /dont_print_me/);
  });
  it('takes env files from a Secret made with --from-env-file', () => {
    const exported = out();
    assert.deepEqual(exported.job.spec!.template.spec!.containers[0].envFrom, [{ secretRef: { name: 'bert-finetune-env-file' } }]);
    assert.equal(exported.secrets[1].command, 'kubectl create secret generic bert-finetune-env-file --from-env-file=./.env');
  });
  it('lists container ports and says a Job publishes none', () => {
    const exported = out();
    assert.deepEqual(exported.job.spec!.template.spec!.containers[0].ports, [{ containerPort: 6006 }, { containerPort: 5353, protocol: 'UDP' }]);
    assert.match(jobManifestYaml(exported), /# A Job publishes no ports: the port bindings 6006:6006, 5353\/udp are not carried/);
  });
  it('retries as the restart policy says and keeps labels Kubernetes refuses as annotations', () => {
    const { job } = out();
    assert.equal(job.spec?.backoffLimit, 3);
    assert.equal(job.spec?.ttlSecondsAfterFinished, undefined);
    assert.equal(job.metadata?.labels?.course, 'ml101');
    assert.deepEqual(job.metadata?.annotations, { 'org.opencontainers.image.url': 'https://example.test/x' });
  });
  it('says which profile fields a Job cannot carry', () => {
    const p = profileOf(`profiles:\n  x:\n    image: a:1\n    run: { user: app, network: lab-net, ipc: host, gpus: all, interactive: true, rm: true }\n`, 'x');
    const exported = profileToJob(p, { image: { kind: 'unknown', reason: 'no such image' } });
    validateJob(exported.job);
    const note = exportNote(exported);
    assert.match(note, /user "app" is not carried/);
    assert.match(note, /network: lab-net is not carried/);
    assert.match(note, /interactive terminal is not carried/);
    assert.match(note, /gpus: all has no Kubernetes form/);
    assert.match(note, /digest of a:1 is unknown \(no such image\)/);
    assert.equal(exported.job.spec!.template.spec!.hostIPC, true);
    assert.equal(exported.job.spec!.ttlSecondsAfterFinished, 0, 'rm: the finished Job is deleted');
    assert.equal(exported.job.spec!.template.spec!.containers[0].resources?.limits?.['nvidia.com/gpu'], '1');
  });
});

describe('the Job schema check', () => {
  it('rejects a Job with a malformed quantity or no container name (the check can fail)', () => {
    const { job } = profileToJob(irisTrain(), { image: { kind: 'imageId', id: ID } });
    const bad = structuredClone(job);
    bad.spec!.template.spec!.volumes![0].emptyDir!.sizeLimit = '1 gigabyte';
    assert.throws(() => validateJob(bad), /sizeLimit/);
    const noName = structuredClone(job) as { spec: { template: { spec: { containers: Array<{ name?: string }> } } } };
    delete noName.spec.template.spec.containers[0].name;
    assert.throws(() => validateJob(noName), /required property name/);
  });
});

describe('field names', () => {
  it('uses only fields the Kubernetes API types know, for every profile exported here (and catches one that is not)', () => {
    const exports = [
      profileToJob(irisTrain(), { image: { kind: 'imageId', id: ID } }).job,
      profileToJob(full(), { image: { kind: 'repoDigest', reference: `r/x@${DIGEST}`, digest: DIGEST } }).job,
      profileToJob(profileOf(`profiles:\n  x:\n    image: a:1\n    run: { user: "7", network: host, ipc: host, gpus: "device=0,1", rm: true, entrypoint: "", command: [sh] }\n`, 'x'), { image: { kind: 'unknown', reason: 'r' } }).job,
    ];
    for (const j of exports) validateJob(j);
    const typo = structuredClone(exports[0]) as unknown as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    typo.spec.template.spec.containers[0].volumeMount = [];
    const messages = unknownFields([...exports, typo]);
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0], /'"volumeMount"' does not exist in type 'Container'/);
  });
});

describe('resolveImageDigest', () => {
  const cases: Array<{ what: string; ref: string; inspect?: { Id?: string; RepoDigests?: string[] }; want: ImageDigest }> = [
    { what: 'the RepoDigest of the same repository', ref: 'iris-train:v1', inspect: { Id: ID, RepoDigests: [`127.0.0.1:5000/iris@${DIGEST}`, `iris-train@${DIGEST}`] }, want: { kind: 'repoDigest', reference: `iris-train@${DIGEST}`, digest: DIGEST } },
    { what: 'another repository\'s RepoDigest when pushed under another name', ref: 'iris-train:v1', inspect: { Id: ID, RepoDigests: [`127.0.0.1:5000/iris@${DIGEST}`] }, want: { kind: 'repoDigest', reference: `127.0.0.1:5000/iris@${DIGEST}`, digest: DIGEST } },
    { what: 'the image ID when never pushed', ref: 'iris-train:v1', inspect: { Id: ID, RepoDigests: [] }, want: { kind: 'imageId', id: ID } },
    { what: 'unknown when the engine did not answer', ref: 'iris-train:v1', inspect: undefined, want: { kind: 'unknown', reason: 'the engine did not answer' } },
  ];
  for (const c of cases) it(`picks ${c.what}`, () => assert.deepEqual(resolveImageDigest(c.ref, c.inspect), c.want));
});

describe('kubectlApplyCommand', () => {
  it('wraps the manifest in a quoted here-document for kubectl apply -f -', () => {
    assert.equal(kubectlApplyCommand('kind: Job\n'), "kubectl apply -f - <<'EOF'\nkind: Job\nEOF\n");
  });
  it('picks another delimiter when the manifest has an EOF line', () => {
    assert.equal(kubectlApplyCommand('a: |\n  EOF\nEOF\n'), "kubectl apply -f - <<'EOF_1'\na: |\n  EOF\nEOF\nEOF_1\n");
  });
});
