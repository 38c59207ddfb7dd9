import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DOCKERFILE_GLOB, imageNameFor, isDockerfileName, suggestTag, validateImageReference } from '../../src/core/build/dockerfiles';

const nameCases: Array<{ name: string; input: string; expected: boolean }> = [
  { name: 'accepts Dockerfile', input: 'Dockerfile', expected: true },
  { name: 'accepts lower-case dockerfile', input: 'dockerfile', expected: true },
  { name: 'accepts Dockerfile.gpu', input: 'Dockerfile.gpu', expected: true },
  { name: 'accepts train.dockerfile', input: 'train.dockerfile', expected: true },
  { name: 'accepts train.Dockerfile', input: 'train.Dockerfile', expected: true },
  { name: 'accepts Containerfile', input: 'Containerfile', expected: true },
  { name: 'accepts Containerfile.dev', input: 'Containerfile.dev', expected: true },
  { name: 'looks only at the last segment of a path', input: 'labs/iris-train/train.dockerfile', expected: true },
  { name: 'looks only at the last segment of a Windows path', input: 'C:\\labs\\Dockerfile', expected: true },
  { name: 'rejects .dockerignore', input: '.dockerignore', expected: false },
  { name: 'rejects Dockerfile.dockerignore (a BuildKit ignore file)', input: 'Dockerfile.dockerignore', expected: false },
  { name: 'rejects train.dockerfile.dockerignore', input: 'train.dockerfile.dockerignore', expected: false },
  { name: 'rejects a bare .dockerfile', input: '.dockerfile', expected: false },
  { name: 'rejects Dockerfile. with an empty suffix', input: 'Dockerfile.', expected: false },
  { name: 'rejects a name that only contains dockerfile', input: 'mydockerfile', expected: false },
  { name: 'rejects a file inside a folder named Dockerfile', input: 'Dockerfile/readme.md', expected: false },
  { name: 'rejects docker-compose.yml', input: 'docker-compose.yml', expected: false },
];

for (const c of nameCases) {
  void test(`isDockerfileName ${c.name}`, () => {
    assert.equal(isDockerfileName(c.input), c.expected);
  });
}

void test('DOCKERFILE_GLOB names every form isDockerfileName accepts', () => {
  for (const form of ['Dockerfile', 'Dockerfile.*', '*.dockerfile', '*.Dockerfile', 'Containerfile', 'Containerfile.*']) {
    assert.ok(DOCKERFILE_GLOB.includes(form), form);
  }
  assert.ok(DOCKERFILE_GLOB.startsWith('**/'));
});

const tagCases: Array<{ name: string; folder: string; existing: string[]; expected: string }> = [
  { name: 'suggests v1 for a new folder', folder: 'iris-train', existing: [], expected: 'iris-train:v1' },
  { name: 'lower-cases the folder name', folder: 'IrisTrain', existing: [], expected: 'iristrain:v1' },
  { name: 'turns spaces and other characters into "-"', folder: 'My Lab (week 3)', existing: [], expected: 'my-lab-week-3:v1' },
  { name: 'trims leading and trailing separators', folder: '_Lab_', existing: [], expected: 'lab:v1' },
  { name: 'collapses separator runs Docker rejects', folder: 'a._b', existing: [], expected: 'a-b:v1' },
  { name: 'keeps a double underscore, which Docker allows', folder: 'a__b', existing: [], expected: 'a__b:v1' },
  { name: 'falls back to "image" when nothing valid is left', folder: '###', existing: [], expected: 'image:v1' },
  { name: 'suggests the next version after the highest existing vN', folder: 'iris-train', existing: ['iris-train:v1', 'iris-train:v3', 'iris-train:v2'], expected: 'iris-train:v4' },
  { name: 'ignores tags of other repositories', folder: 'iris-train', existing: ['iris:v7', 'iris-train-gpu:v5', 'flask-app:v2'], expected: 'iris-train:v1' },
  { name: 'ignores non-numeric tags', folder: 'iris-train', existing: ['iris-train:latest', 'iris-train:v2-rc'], expected: 'iris-train:v1' },
];

for (const c of tagCases) {
  void test(`suggestTag ${c.name}`, () => {
    const tag = suggestTag(c.folder, c.existing);
    assert.equal(tag, c.expected);
    assert.equal(validateImageReference(tag), undefined, 'the suggestion is a valid reference');
  });
}

const dockerfileTagCases: Array<{ name: string; dockerfile: string; folder: string; existing?: string[]; expected: string }> = [
  { name: 'Dockerfile.<name> gives <name>', dockerfile: 'Dockerfile.greet-app', folder: 'greet', expected: 'greet-app:v1' },
  { name: 'a second Dockerfile.<name> in the same folder gives its own name', dockerfile: 'Dockerfile.greet3-app', folder: 'greet', expected: 'greet3-app:v1' },
  { name: '<name>.dockerfile gives <name>', dockerfile: 'greet-app.dockerfile', folder: 'greet', expected: 'greet-app:v1' },
  { name: '<name>.Dockerfile gives <name>, lower-cased', dockerfile: 'Greet-App.Dockerfile', folder: 'greet', expected: 'greet-app:v1' },
  { name: 'Containerfile.<name> gives <name>', dockerfile: 'Containerfile.serve-api', folder: 'lab', expected: 'serve-api:v1' },
  { name: 'a plain Dockerfile keeps the folder name', dockerfile: 'Dockerfile', folder: 'greet', expected: 'greet:v1' },
  { name: 'a plain Containerfile keeps the folder name', dockerfile: 'Containerfile', folder: 'flask-app', expected: 'flask-app:v1' },
  { name: 'a path counts by its last segment', dockerfile: '/home/me/greet/Dockerfile.greet-app', folder: 'greet', expected: 'greet-app:v1' },
  { name: 'a name the folder name already holds keeps the folder name', dockerfile: 'train.dockerfile', folder: 'iris-train', expected: 'iris-train:v1' },
  { name: 'a variant word is appended to the folder name', dockerfile: 'Dockerfile.gpu', folder: 'iris-train', expected: 'iris-train-gpu:v1' },
  { name: 'the v1 -> v2 bump stays, per Dockerfile name', dockerfile: 'Dockerfile.greet-app', folder: 'greet', existing: ['greet-app:v1', 'greet:v4', 'greet3-app:v7'], expected: 'greet-app:v2' },
  { name: 'the bump stays for a plain Dockerfile', dockerfile: 'Dockerfile', folder: 'greet', existing: ['greet:v1', 'greet-app:v5'], expected: 'greet:v2' },
];

for (const c of dockerfileTagCases) {
  void test(`suggestTag(imageNameFor(...)): ${c.name}`, () => {
    const tag = suggestTag(imageNameFor(c.dockerfile, c.folder), c.existing ?? []);
    assert.equal(tag, c.expected);
    assert.equal(validateImageReference(tag), undefined, 'the suggestion is a valid reference');
  });
}

const validRefs = [
  'iris-train',
  'iris-train:v1',
  'course/iris-train:v1',
  'localhost:5000/iris-train:v1',
  '127.0.0.1:5000/course/lab/iris:2024.1',
  'registry.example.org/team/flask_app:latest',
  'Registry.Example.org/team/app:v1',
  'a__b:V1_x.y-z',
  'iris@sha256:' + 'f'.repeat(64),
  'iris:v1@sha256:' + '0'.repeat(64),
  'x:' + 'a'.repeat(128),
];

for (const ref of validRefs) {
  void test(`validateImageReference accepts ${ref.length > 40 ? ref.slice(0, 40) + '...' : ref}`, () => {
    assert.equal(validateImageReference(ref), undefined);
  });
}

const invalidRefs: Array<{ name: string; input: string; expected: RegExp }> = [
  { name: 'rejects an empty reference', input: '', expected: /the image name is empty/ },
  { name: 'rejects an upper-case repository and suggests lower case', input: 'Iris-Train:v1', expected: /repository "Iris-Train" must be lower-case, e\.g\. "iris-train"/ },
  { name: 'rejects upper case in a path after a registry', input: 'localhost:5000/Iris:v1', expected: /repository "Iris" must be lower-case/ },
  { name: 'rejects bad tag characters', input: 'iris:v1!', expected: /tag "v1!" may contain only letters, digits/ },
  { name: 'rejects a tag starting with "."', input: 'iris:.v1', expected: /tag "\.v1"/ },
  { name: 'rejects a tag over 128 characters', input: 'iris:' + 'a'.repeat(129), expected: /tag is 129 characters; the limit is 128/ },
  { name: 'rejects an empty tag', input: 'iris:', expected: /the tag after ":" is empty/ },
  { name: 'rejects an empty repository', input: ':v1', expected: /the repository name is empty/ },
  { name: 'rejects whitespace', input: 'iris train:v1', expected: /contains whitespace/ },
  { name: 'rejects a double slash', input: 'course//iris', expected: /empty path component/ },
  { name: 'rejects a leading separator in a path component', input: '-iris:v1', expected: /repository "-iris" may contain only lower-case letters/ },
  { name: 'rejects three underscores', input: 'a___b', expected: /repository "a___b"/ },
  { name: 'rejects a bad digest', input: 'iris@sha256:xyz', expected: /digest "sha256:xyz" is not valid/ },
  { name: 'rejects a bad registry host', input: 'my_registry.local/iris:v1', expected: /registry host "my_registry\.local" is not a valid host name/ },
  { name: 'rejects a non-numeric registry port', input: 'localhost:abc/iris:v1', expected: /registry port "abc" is not a number/ },
];

for (const c of invalidRefs) {
  void test(`validateImageReference ${c.name}`, () => {
    const message = validateImageReference(c.input);
    assert.ok(message !== undefined, 'reported as invalid');
    assert.match(message, c.expected);
  });
}
