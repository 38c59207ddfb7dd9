/**
 * Why a run died: one case per diagnosis, with the programs' own message texts. Sources:
 * - PyTorch torch/csrc/DataLoader.cpp (pytorch/pytorch commit 03d4ef67a3b6390069b2c3cc55db0ae575aedbaa,
 *   BSD-3-Clause): the worker's SIGBUS message and "DataLoader worker (pid N) is killed by signal";
 *   the full line as users posted it: github.com/hkchengrex/STCN/issues/132 (pid 46794);
 * - PyTorch's shared-memory file error as posted in github.com/logicalclocks/hopsworks/issues/1557;
 * - CUDA OOM from PyTorch c10/cuda/CUDACachingAllocator.cpp as posted in
 *   github.com/pytorch/pytorch/issues/16417 (comment of 2024-03-13); TensorFlow's as posted in
 *   github.com/Azure/MachineLearningNotebooks/issues/880;
 * - CPython's ModuleNotFoundError and FileNotFoundError texts; busybox's `cat` and `dd` and the
 *   shell's "Bus error" as printed by containers on the test engine.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { diagnoseExit, LastLines, type DeathFacts } from '../../../src/core/runs/diagnosis';

const MiB = 1024 * 1024;
const base: DeathFacts = { exitCode: 1, oomKilled: false, lastLines: [], mounts: [] };
const facts = (o: Partial<DeathFacts>): DeathFacts => ({ ...base, ...o });

describe('diagnoseExit', () => {
  it('says nothing about a run that exited 0, or an exit nothing explains', () => {
    assert.equal(diagnoseExit(facts({ exitCode: 0, oomKilled: false })), undefined);
    assert.equal(diagnoseExit(facts({ exitCode: 2, lastLines: ['usage: train.py [-h] --epochs N'] })), undefined);
  });

  it('names the limit and the peak of a container killed for memory (137 + OOMKilled) and offers more memory', () => {
    const d = diagnoseExit(facts({ exitCode: 137, oomKilled: true, memory: 32 * MiB, peakMemoryBytes: 31.5 * MiB }))!;
    assert.equal(d.kind, 'oomKilled');
    assert.equal(d.message, 'The container was killed for memory (exit code 137, OOMKilled): it reached its limit of 32 MiB, peak seen 31.5 MiB; raise the memory limit (e.g. to 64 MiB) or make the script use less (smaller batches, fewer DataLoader workers).');
    assert.deepEqual(d.action, { kind: 'moreMemory', label: 'Re-run with 64 MiB Memory', memory: 64 * MiB });
  });
  it('says the machine ran out when an OOM-killed container had no limit', () => {
    const d = diagnoseExit(facts({ exitCode: 137, oomKilled: true }))!;
    assert.equal(d.kind, 'oomKilled');
    assert.match(d.message, /no memory limit of its own: the engine's machine ran out/);
    assert.equal(d.action, undefined);
  });
  it('takes a SIGKILL at the limit for an OOM kill when the container is gone (--rm)', () => {
    const d = diagnoseExit(facts({ exitCode: 137, oomKilled: undefined, memory: 32 * MiB, peakMemoryBytes: 31 * MiB }))!;
    assert.equal(d.kind, 'oomKilled');
    assert.match(d.message, /OOMKilled could not be read/);
  });

  it('tells a SIGKILL (137) without OOM from outside', () => {
    const d = diagnoseExit(facts({ exitCode: 137, oomKilled: false }))!;
    assert.equal(d.kind, 'killed');
    assert.match(d.message, /^The container was killed with SIGKILL \(exit code 137\), not for memory/);
  });
  it('tells a SIGTERM stop (143)', () => {
    const d = diagnoseExit(facts({ exitCode: 143 }))!;
    assert.equal(d.kind, 'stopped');
    assert.match(d.message, /^The container was stopped with SIGTERM \(exit code 143\), as Stop does/);
  });
  it('tells a segfault (139)', () => {
    const d = diagnoseExit(facts({ exitCode: 139, lastLines: ['Fatal Python error: Segmentation fault'] }))!;
    assert.equal(d.kind, 'segfault');
    assert.match(d.message, /segmentation fault \(exit code 139, SIGSEGV\)/);
  });

  const shmCases: Array<[string, string]> = [
    ['PyTorch worker SIGBUS handler', 'ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).'],
    ['PyTorch DataLoader main process', "RuntimeError: DataLoader worker (pid 46794) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit."],
    ['PyTorch shared-memory file', 'RuntimeError: unable to write to file </torch_739_144252761_4>: No space left on device (28)'],
    ['dd writing past /dev/shm', "dd: error writing '/dev/shm/fill': No space left on device"],
    ['the shell reporting SIGBUS', 'Bus error'],
    ['bash reporting SIGBUS', 'train.sh: line 3:    12 Bus error               (core dumped) python train.py'],
  ];
  for (const [what, line] of shmCases) {
    it(`tells shared memory too small from ${what}, naming the shm size and offering a larger one`, () => {
      const d = diagnoseExit(facts({ exitCode: 1, lastLines: ['epoch 1 loss 0.5', line, 'Traceback (most recent call last):'] }))!;
      assert.equal(d.kind, 'shm');
      assert.ok(d.message.startsWith("The container's shared memory (/dev/shm, 64 MiB, Docker's default) was too small"), d.message);
      assert.match(d.message, /re-run with a larger shmSize \(e\.g\. 1 GiB\)/);
      assert.equal(d.evidence, line.trim());
      assert.deepEqual(d.action, { kind: 'moreShm', label: 'Re-run with 1 GiB Shared Memory', shmSize: 1024 * MiB });
    });
  }
  it('names a set shm size and suggests four times it', () => {
    const d = diagnoseExit(facts({ exitCode: 135, shmSize: 512 * MiB }))!;
    assert.match(d.message, /\(\/dev\/shm, 512 MiB\) was too small \(a bus error, exit code 135\); re-run with a larger shmSize \(e\.g\. 2 GiB\)/);
  });
  it('does not offer a larger shm when the run uses the host IPC namespace', () => {
    const d = diagnoseExit(facts({ exitCode: 1, ipcMode: 'host', lastLines: ['ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).'] }))!;
    assert.equal(d.kind, 'shm');
    assert.equal(d.action, undefined);
  });
  it('does not take a full disk elsewhere for shared memory', () => {
    assert.equal(diagnoseExit(facts({ exitCode: 1, lastLines: ["OSError: [Errno 28] No space left on device: '/app/checkpoints/epoch3.pt'"] })), undefined);
  });

  const cudaCases: Array<[string, string, RegExp]> = [
    ['PyTorch (2.x)', 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 22.00 MiB. GPU 0 has a total capacity of 23.65 GiB of which 11.06 MiB is free. Including non-PyTorch memory, this process has 23.60 GiB memory in use. Of the allocated memory 22.90 GiB is allocated by PyTorch, and 194.87 MiB is reserved by PyTorch but unallocated.', /while allocating 22\.00 MiB/],
    ['PyTorch (1.x)', 'RuntimeError: CUDA out of memory. Tried to allocate 12.50 MiB (GPU 0; 10.92 GiB total capacity; 8.57 MiB already allocated; 9.28 GiB free; 4.68 MiB cached)', /while allocating 12\.50 MiB/],
    ['TensorFlow', '  (0) Resource exhausted: OOM when allocating tensor with shape[16,112,112,147] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc', /^The GPU ran out of memory \(CUDA/],
  ];
  for (const [what, line, re] of cudaCases) {
    it(`tells CUDA out of memory from ${what} and suggests a smaller batch`, () => {
      const d = diagnoseExit(facts({ exitCode: 1, lastLines: [line] }))!;
      assert.equal(d.kind, 'cudaOom');
      assert.match(d.message, re);
      assert.match(d.message, /use a smaller batch size/);
    });
  }

  it('names the missing module and the requirements file, and offers to open it', () => {
    const d = diagnoseExit(facts({ exitCode: 1, requirementsFile: 'requirements.txt', lastLines: ['Traceback (most recent call last):', '  File "/app/train.py", line 3, in <module>', '    import torch', "ModuleNotFoundError: No module named 'torch'"] }))!;
    assert.equal(d.kind, 'missingModule');
    assert.equal(d.message, "Python could not import the module 'torch': it is not installed in the image; add torch to requirements.txt and rebuild the image.");
    assert.deepEqual(d.action, { kind: 'openRequirements', label: 'Open requirements.txt', file: 'requirements.txt' });
  });
  it('names the pip package of an import name that differs (sklearn -> scikit-learn), and the top package of a dotted one', () => {
    const d = diagnoseExit(facts({ exitCode: 1, lastLines: ["ModuleNotFoundError: No module named 'sklearn.ensemble'"] }))!;
    assert.match(d.message, /module 'sklearn' \(pip package scikit-learn\).*add scikit-learn to the image's requirements/);
    assert.equal(d.action, undefined, 'no requirements file to open');
  });

  const mounts = [{ type: 'bind', source: '/home/ana/iris/data', target: '/data' }, { type: 'volume', source: 'ckpt', target: '/app/checkpoints' }];
  it('names the bind mount a missing file should have come from (CPython FileNotFoundError)', () => {
    const d = diagnoseExit(facts({ exitCode: 1, mounts, lastLines: ["FileNotFoundError: [Errno 2] No such file or directory: '/data/train.csv'"] }))!;
    assert.equal(d.kind, 'missingFile');
    assert.equal(d.message, "The script did not find /data/train.csv, which would come from the bind mount /home/ana/iris/data (mounted at /data); check that train.csv exists in /home/ana/iris/data on the engine's machine, or fix the path.");
  });
  it('resolves a relative path against the working directory, and names a named volume', () => {
    const d = diagnoseExit(facts({ exitCode: 1, mounts, workingDir: '/app', lastLines: ["FileNotFoundError: [Errno 2] No such file or directory: 'checkpoints/last.pt'"] }))!;
    assert.match(d.message, /did not find \/app\/checkpoints\/last\.pt, which would come from the named volume ckpt \(mounted at \/app\/checkpoints\)/);
  });
  it('reads busybox and CPython script-not-found forms', () => {
    assert.match(diagnoseExit(facts({ exitCode: 1, mounts, lastLines: ["cat: can't open '/data/labels.txt': No such file or directory"] }))!.message, /\/data\/labels\.txt, which would come from the bind mount/);
    assert.match(diagnoseExit(facts({ exitCode: 2, mounts, lastLines: ["python3: can't open file '/data/train.py': [Errno 2] No such file or directory"] }))!.message, /\/data\/train\.py/);
  });
  it('says no mount provides a missing file outside every mount', () => {
    const d = diagnoseExit(facts({ exitCode: 1, mounts, lastLines: ["FileNotFoundError: [Errno 2] No such file or directory: '/dataset/train.csv'"] }))!;
    assert.match(d.message, /neither the image nor any mount provides it; mount the folder that holds it \(e\.g\. a bind mount to \/dataset\)/);
  });

  it('puts the OOM kill before log lines (a killed process prints nothing reliable)', () => {
    assert.equal(diagnoseExit(facts({ exitCode: 137, oomKilled: true, memory: 32 * MiB, lastLines: ["ModuleNotFoundError: No module named 'x'"] }))!.kind, 'oomKilled');
  });
});

describe('LastLines', () => {
  it('keeps the last n non-empty lines across chunk borders, \\r updates included', () => {
    const t = new LastLines(3);
    t.push('a\nb\n');
    t.push('c\nd');
    t.push('e\r10%\r100%\n\n');
    assert.deepEqual(t.get(), ['de', '10%', '100%']);
  });
  it('cuts an endless line', () => {
    const t = new LastLines(2);
    t.push('x'.repeat(10_000));
    assert.equal(t.get()[0].length, 1_000);
  });
});
