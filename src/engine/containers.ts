/**
 * Containers: list, inspect, create, run (detached or attached with a TTY), start, stop,
 * restart, pause, remove, wait, logs, exec and shells, commit, rename, and recreate with a new
 * port binding or mount.
 */
import type * as DockerodeNs from 'dockerode';
import { PassThrough } from 'node:stream';
import { EngineBase, EngineError, type DockerodeError, type LabelFilter } from './connection';
import { UserError } from '../core/errors';
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../core/ids';
import { toCreateOptions, type RunRequest } from '../core/run/createOptions';
import { LogDemuxer } from '../core/logs/demux';
import { extraNetworks, recreateOptions, type RecreateChange } from '../core/run/recreate';
import type { ContainerState, ContainerSummary, PruneResult } from '../core/engineTypes';


/** Longest pause between two attempts of a cut wait, in ms. */
const WAIT_RETRY_MS = 5_000;
/** How long a cut wait keeps trying without an answer from the engine, in ms (then its error is thrown). */
const WAIT_RETRY_FOR_MS = 5 * 60_000;

/** The container calls of {@link Engine}. */
export abstract class ContainersApi extends EngineBase {
  /** `GET /containers/json?all=1`: running and stopped containers. */
  async listContainers(options: { label?: LabelFilter; size?: boolean; ids?: string[] } = {}): Promise<ContainerSummary[]> {
    const filters = { ...(options.label ? { label: options.label } : {}), ...(options.ids ? { id: options.ids } : {}) };
    const rows = await this.read('list containers', (abortSignal) =>
      this.docker().listContainers({
        all: true,
        abortSignal,
        ...(options.size ? { size: true } : {}),
        ...(Object.keys(filters).length ? { filters: JSON.stringify(filters) } : {}),
      }),
    );
    return rows.map((r) => ({
      id: r.Id,
      name: (r.Names?.[0] ?? r.Id.slice(0, 12)).replace(/^\//, ''),
      image: r.Image,
      imageId: r.ImageID,
      command: r.Command,
      created: r.Created * 1000,
      state: r.State as ContainerState,
      status: r.Status,
      ports: (r.Ports ?? []).map((p) => ({
        hostIp: p.IP,
        hostPort: p.PublicPort,
        containerPort: p.PrivatePort,
        protocol: p.Type,
      })),
      labels: r.Labels ?? {},
      mounts: (r.Mounts ?? []).map((m) => ({
        type: m.Type,
        source: m.Source,
        destination: m.Destination,
        name: m.Name,
        readOnly: m.RW === false,
      })),
      ...((r as { SizeRw?: number }).SizeRw !== undefined ? { sizeRw: (r as { SizeRw?: number }).SizeRw } : {}),
      networks: Object.keys(r.NetworkSettings?.Networks ?? {}),
    }));
  }

  /** `GET /containers/{id}/json`, raw, for the Inspect editor and tests. */
  async inspectContainer(id: string): Promise<Record<string, unknown>> {
    return this.read(`inspect container ${id}`, async (abortSignal) =>
      (await this.docker().getContainer(id).inspect({ abortSignal })) as unknown as Record<string, unknown>,
    );
  }

  /**
   * Creates a container without starting it (`POST /containers/create`).
   * @returns the container's id and name
   */
  async createContainer(req: RunRequest): Promise<{ id: string; name: string }> {
    const opts = toCreateOptions(req) as unknown as DockerodeNs.ContainerCreateOptions;
    const container = await this.call(`create container from ${req.image}`, (abortSignal) =>
      this.docker().createContainer({ ...opts, abortSignal } as DockerodeNs.ContainerCreateOptions),
    );
    return { id: container.id, name: req.name ?? container.id.slice(0, 12) };
  }

  /**
   * Creates and starts a detached container (`POST /containers/create`, then `/start`).
   * If the start fails (a host port in use, no GPU runtime), the just-created container is
   * removed again so nothing half-made is left behind.
   * @param beforeStart runs between create and start (e.g. uploads); when it throws, the container is removed too
   * @returns the container's id and name
   */
  async runContainer(req: RunRequest, beforeStart?: (id: string) => Promise<void>): Promise<{ id: string; name: string }> {
    const { id } = await this.createContainer(req);
    const container = this.docker().getContainer(id);
    try {
      await beforeStart?.(id);
      await this.call(`start container from ${req.image}`, (abortSignal) => container.start({ abortSignal }));
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    const info = await this.call('inspect new container', (abortSignal) => container.inspect({ abortSignal }));
    return { id: info.Id, name: info.Name.replace(/^\//, '') };
  }

  /**
   * Runs a container interactively, as `docker run -it` does: creates it (the request should be
   * `interactive`: OpenStdin, StdinOnce, Tty), attaches to it
   * (`POST /containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1`, hijacked so stdin is
   * written on the same connection), registers the wait (`POST /containers/{id}/wait`,
   * condition `removed` with AutoRemove, as the CLI does, else `next-exit`), then starts it.
   * Output produced before `onData` is given (the terminal opens later) is buffered.
   * If attaching or starting fails, the container is removed again.
   * @returns the session: `write` sends keystrokes to the container's TTY (Ctrl-C is `\x03`,
   *   which the TTY turns into SIGINT for the foreground program), `resize` calls
   *   `POST /containers/{id}/resize?h=&w=` (character cells), `close` ends the attach stream and
   *   hangs up (SIGHUP, then a stop if the container is still running 3 s later, as a closed
   *   terminal window does to its shell), `exited` resolves with the exit code when it stops.
   */
  async runInteractive(req: RunRequest): Promise<AttachedRun> {
    const { id } = await this.createContainer(req);
    const container = this.docker().getContainer(id);
    let stream: NodeJS.ReadWriteStream;
    let waited: Promise<{ exitCode: number }>;
    try {
      stream = await this.call(`attach to container ${id}`, () =>
        container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true } as DockerodeNs.ContainerAttachOptions),
      );
      waited = this.waitContainer(id, undefined, req.autoRemove ? 'removed' : 'next-exit');
      waited.catch(() => undefined); // handled by `exited` below
      await this.call(`start container from ${req.image}`, (abortSignal) => container.start({ abortSignal }));
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    const info = await this.call('inspect new container', (abortSignal) => container.inspect({ abortSignal })).catch(() => undefined);
    let pending: string[] | undefined = [];
    let sink: ((text: string) => void) | undefined;
    const taps: Array<(text: string) => void> = [];
    let untapped: string[] | undefined = [];
    let untappedChars = 0;
    stream.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      for (const t of taps) t(text);
      if (untapped) {
        untapped.push(text);
        untappedChars += text.length;
        if (untappedChars > 1024 * 1024) untapped = undefined;
      }
      if (sink) sink(text);
      else pending?.push(text);
    });
    const exited = waited.then(
      (r) => r.exitCode,
      () => undefined,
    );
    const outputEnded = new Promise<void>((resolve) => {
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    });
    return {
      id,
      outputEnded,
      tap: (fn) => {
        for (const t of untapped ?? []) fn(t);
        untapped = undefined;
        taps.push(fn);
      },
      name: info?.Name.replace(/^\//, '') ?? req.name ?? id.slice(0, 12),
      onData: (fn) => {
        sink = fn;
        for (const t of pending ?? []) fn(t);
        pending = undefined;
      },
      write: (data) => void stream.write(data),
      resize: (columns, rows) => void container.resize({ h: rows, w: columns }).catch(() => undefined),
      close: () => {
        stream.end();
        (stream as unknown as { destroy?: () => void }).destroy?.();
        void this.hangUp(id, exited);
      },
      exited,
    };
  }

  /**
   * What closing a terminal does to the shell in it: SIGHUP (`POST /containers/{id}/kill?signal=SIGHUP`).
   * Closing stdin is not enough with a TTY (the shell reads the TTY, which stays open), and PID 1
   * only gets signals it handles, so a container still running `hangUpGraceMs` later is stopped
   * (SIGTERM, SIGKILL after 2 s). Errors (already gone) are ignored.
   */
  private async hangUp(id: string, exited: Promise<unknown>, hangUpGraceMs = 3_000): Promise<void> {
    const container = this.docker().getContainer(id);
    await container.kill({ signal: 'SIGHUP' }).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), hangUpGraceMs)))]);
    clearTimeout(timer);
    if (!gone) await this.stopContainer(id, 2).catch(() => undefined);
  }

  /** `POST /containers/{id}/start`; a container already running is not an error. */
  async startContainer(id: string): Promise<void> {
    await this.call(`start container ${id}`, async (abortSignal) => {
      try {
        await this.docker().getContainer(id).start({ abortSignal });
      } catch (err) {
        if ((err as DockerodeError).statusCode !== 304) throw err;
      }
    });
  }

  /**
   * `POST /containers/{id}/stop`: SIGTERM, then SIGKILL after `graceSeconds` (Docker's default 10 s).
   * A container already stopped is not an error. The call timeout is extended by the grace period.
   */
  async stopContainer(id: string, graceSeconds = 10): Promise<void> {
    await this.call(
      `stop container ${id}`,
      async (abortSignal) => {
        try {
          await this.docker().getContainer(id).stop({ t: graceSeconds, abortSignal });
        } catch (err) {
          if ((err as DockerodeError).statusCode !== 304) throw err;
        }
      },
      undefined,
      graceSeconds * 1000,
    );
  }

  /** `POST /containers/{id}/restart` */
  async restartContainer(id: string, graceSeconds = 10): Promise<void> {
    await this.call(`restart container ${id}`, (abortSignal) => this.docker().getContainer(id).restart({ t: graceSeconds, abortSignal }), undefined, graceSeconds * 1000);
  }

  /** `POST /containers/{id}/pause` (freezes every process; memory is kept). */
  async pauseContainer(id: string): Promise<void> {
    await this.call(`pause container ${id}`, (abortSignal) => this.docker().getContainer(id).pause({ abortSignal }));
  }

  /** `POST /containers/{id}/unpause` */
  async unpauseContainer(id: string): Promise<void> {
    await this.call(`unpause container ${id}`, (abortSignal) => this.docker().getContainer(id).unpause({ abortSignal }));
  }

  /** `DELETE /containers/{id}`; `force` stops a running container first. Anonymous volumes are removed with it (`v`). */
  async removeContainer(id: string, options: { force?: boolean } = {}): Promise<void> {
    await this.call(`remove container ${id}`, (abortSignal) =>
      this.docker().getContainer(id).remove({ force: options.force ?? false, v: true, abortSignal }),
    );
  }

  /**
   * `POST /containers/{id}/wait`: resolves with the exit code when the container stops. Not limited by the call timeout.
   * A wait cut by the connection (an SSH connection dropped, a channel refused, the engine
   * briefly away) is made again, so an exit is never lost: with 'not-running' after a
   * 'next-exit' (the container has started by then, and may have stopped in the gap), every
   * {@link WAIT_RETRY_MS} at most, for up to {@link WAIT_RETRY_FOR_MS} without an answer.
   * @param condition the engine's wait condition: 'not-running' (default), 'next-exit' (the next
   *   stop, even of a container not started yet) or 'removed' (for AutoRemove containers).
   * @throws EngineError: 'notFound' (no such container), 'cancelled', or the last transport error
   *   once the engine has not answered for {@link WAIT_RETRY_FOR_MS}
   */
  async waitContainer(id: string, signal?: AbortSignal, condition: 'not-running' | 'next-exit' | 'removed' = 'not-running'): Promise<{ exitCode: number }> {
    let failingSince: number | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = (await this.docker().getContainer(id).wait({ abortSignal: signal, ...(condition !== 'not-running' ? { condition } : {}) })) as { StatusCode: number };
        return { exitCode: r.StatusCode };
      } catch (err) {
        const mapped = this.mapError(`wait for container ${id}`, err, signal);
        if (mapped.kind !== 'unreachable' || signal?.aborted) throw mapped;
        failingSince ??= Date.now();
        if (Date.now() - failingSince > WAIT_RETRY_FOR_MS) throw mapped;
        if (condition === 'next-exit') condition = 'not-running';
        await new Promise((r) => setTimeout(r, Math.min(WAIT_RETRY_MS, 250 * 2 ** attempt)));
      }
    }
  }

  /**
   * Streams a container's logs (`GET /containers/{id}/logs`), stdout and stderr demultiplexed
   * (or raw when the container has a TTY). With `follow`, resolves when the container stops or
   * `signal` aborts; without, when the existing logs have been read.
   */
  async logs(
    id: string,
    onText: (text: string, stream: 'stdout' | 'stderr') => void,
    options: { follow: boolean; tail?: number; signal?: AbortSignal },
  ): Promise<void> {
    const container = this.docker().getContainer(id);
    const info = await this.read(`inspect container ${id}`, (abortSignal) => container.inspect({ abortSignal }));
    const tty = info.Config?.Tty === true;
    let raw: NodeJS.ReadableStream | Buffer;
    try {
      raw = (await container.logs({
        follow: options.follow as true,
        stdout: true,
        stderr: true,
        tail: options.tail,
        abortSignal: options.signal,
      } as DockerodeNs.ContainerLogsOptions & { follow: true })) as unknown as NodeJS.ReadableStream | Buffer;
    } catch (err) {
      throw this.mapError(`logs of ${id}`, err, options.signal);
    }
    // one onText per chunk and stream (not per frame: one per log line), UTF-8 split across frames kept whole
    const demux = new LogDemuxer(onText, tty);
    if (Buffer.isBuffer(raw)) {
      // Not following: the engine answered with the whole (multiplexed unless TTY) buffer.
      demux.push(raw);
      demux.end();
      return;
    }
    const stream = raw;
    const what = `The log stream of ${id.slice(0, 12)}`;
    let lost: EngineError | undefined;
    let finish = (): void => undefined;
    // A host that vanishes without closing the connection would leave a follow waiting forever.
    // End at once: a destroyed SSH channel only emits 'close' when the (gone) host confirms it.
    const stopWatching = this.watchLiveness(what, (err) => {
      lost = err;
      finish();
      (stream as unknown as { destroy?: () => void }).destroy?.();
    });
    await new Promise<void>((resolve) => {
      finish = resolve;
      stream.on('data', (d: Buffer) => demux.push(d));
      stream.on('end', () => demux.end());
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
      options.signal?.addEventListener('abort', () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        resolve();
      });
    }).finally(stopWatching);
    if (options.signal?.aborted) return;
    // The stream ended by itself: the container stopped, or the engine went away and closed it.
    lost ??= await this.checkAfterStream(what);
    if (lost) throw lost;
  }

  /**
   * `POST /containers/prune`: removes stopped containers. `label` narrows it (tests pass their
   * own label so they never touch anything else on a shared engine).
   */
  async pruneContainers(label?: LabelFilter): Promise<PruneResult> {
    const r = await this.call('prune containers', () => this.docker().pruneContainers(label ? { filters: { label } } : {}));
    return { removed: r.ContainersDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }

  /**
   * Runs a command inside a running container and collects its output (`POST /containers/{id}/exec`).
   * @returns exit code and combined stdout+stderr text
   */
  async execCollect(id: string, cmd: string[], options: { user?: string } = {}): Promise<{ exitCode: number; output: string }> {
    const exec = await this.call(`exec in ${id}`, (abortSignal) =>
      this.docker().getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: options.user, abortSignal } as DockerodeNs.ExecCreateOptions),
    );
    const stream = (await this.call(`start exec in ${id}`, () => exec.start({ hijack: true, stdin: false }))) as NodeJS.ReadableStream;
    let output = '';
    const sink = new PassThrough();
    sink.on('data', (d: Buffer) => (output += d.toString('utf8')));
    this.docker().modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve) => {
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    });
    const info = await this.call('exec result', () => exec.inspect());
    return { exitCode: info.ExitCode ?? -1, output };
  }

  /**
   * Runs a one-off command in a fresh container of `image` and collects its output, e.g.
   * `pip freeze` inside a built image: create (the command replaces the image's ENTRYPOINT and
   * CMD; no network; labelled `org.mllab.created-by=ml-container-lab`), start, wait, read the
   * logs, remove. The container is removed even when a step fails or the time limit passes.
   * @param cmd program and arguments, e.g. `['python', '-m', 'pip', 'freeze']`
   * @param timeoutMs limit for the whole run in ms (default 120 s); the container is then removed
   * @returns exit code, stdout and stderr text
   */
  async runToCompletion(image: string, cmd: string[], timeoutMs = 120_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const created = await this.call(`create container from ${image}`, (abortSignal) =>
      this.docker().createContainer({
        Image: image,
        Entrypoint: cmd.slice(0, 1),
        Cmd: cmd.slice(1),
        Labels: { [CREATED_BY_LABEL]: CREATED_BY_VALUE },
        HostConfig: { NetworkMode: 'none' },
        abortSignal,
      } as DockerodeNs.ContainerCreateOptions),
    );
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(), timeoutMs);
    try {
      await this.call(`start container from ${image}`, (abortSignal) => created.start({ abortSignal }));
      let exitCode: number;
      try {
        ({ exitCode } = await this.waitContainer(created.id, limit.signal));
      } catch (err) {
        if (!limit.signal.aborted) throw err;
        throw new EngineError(`"${cmd.join(' ')}" in ${image} did not finish within ${timeoutMs / 1000} s.`, 'timeout', { cause: err });
      }
      let stdout = '';
      let stderr = '';
      await this.logs(created.id, (text, stream) => (stream === 'stderr' ? (stderr += text) : (stdout += text)), { follow: false });
      return { exitCode, stdout, stderr };
    } finally {
      clearTimeout(timer);
      await this.removeContainer(created.id, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Opens an interactive shell (exec with a TTY) inside a running container, no Docker CLI
   * needed. The first of `shells` that exists in the container is used (bash, then sh).
   * @throws EngineError when the container is not running or has none of the shells
   */
  async openShell(id: string, shells: string[], onData: (text: string) => void, size?: { columns: number; rows: number }): Promise<ShellSession & { shell: string }> {
    let shell: string | undefined;
    for (const candidate of shells) {
      const probe = await this.execCollect(id, ['sh', '-c', `command -v ${candidate}`]).catch(() => undefined);
      if (probe?.exitCode === 0) {
        shell = candidate;
        break;
      }
    }
    if (!shell) {
      throw new EngineError(`Container ${id.slice(0, 12)} has none of these shells: ${shells.join(', ')}.`, 'notFound', {
        hint: 'Images built FROM scratch or distroless images have no shell; use View Logs or Inspect instead.',
      });
    }
    const exec = await this.call(`exec ${shell} in ${id}`, (abortSignal) =>
      this.docker().getContainer(id).exec({
        Cmd: [shell],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        Env: ['TERM=xterm-256color'],
        abortSignal,
      } as DockerodeNs.ExecCreateOptions),
    );
    const stream = (await this.call(`start ${shell} in ${id}`, () => exec.start({ hijack: true, stdin: true, Tty: true }))) as NodeJS.ReadWriteStream;
    stream.on('data', (d: Buffer) => onData(d.toString('utf8')));
    if (size) await exec.resize({ h: size.rows, w: size.columns }).catch(() => undefined);
    const exited = new Promise<number | undefined>((resolve) => {
      const done = () => void exec.inspect().then((i) => resolve(i.ExitCode ?? undefined), () => resolve(undefined));
      stream.on('end', done);
      stream.on('close', done);
    });
    return {
      shell,
      write: (data) => void stream.write(data),
      resize: (columns, rows) => void exec.resize({ h: rows, w: columns }).catch(() => undefined),
      close: () => (stream as unknown as { destroy?: () => void }).destroy?.(),
      exited,
    };
  }

  /**
   * `POST /commit`: saves a container's filesystem changes as a new image `repo:tag`
   * (volumes and bind mounts are not part of it).
   * @returns the new image id
   */
  async commitContainer(id: string, repo: string, tag: string, labels: Record<string, string> = {}): Promise<string> {
    const r = (await this.call(`commit container ${id}`, (abortSignal) =>
      this.docker().getContainer(id).commit({ repo, tag, changes: Object.entries(labels).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`), abortSignal }),
    )) as { Id: string };
    return r.Id;
  }

  /**
   * `POST /containers/{id}/rename`.
   * @param newName Docker's name rule `[a-zA-Z0-9][a-zA-Z0-9_.-]+`
   * @throws EngineError 'conflict' when another container has that name, 'notFound' for an unknown container
   */
  async renameContainer(id: string, newName: string): Promise<void> {
    await this.call(`rename container ${id} to ${newName}`, (abortSignal) => this.docker().getContainer(id).rename({ name: newName, abortSignal }));
  }

  /**
   * Recreates a container with the same configuration plus a change (a new port binding or
   * mount; Docker cannot add either to an existing container), keeping its name. The flow never
   * loses the original:
   * 1. inspect it and build the new create body (`recreateOptions`; a bad change throws here,
   *    before anything is touched);
   * 2. with `commitAs`, commit its filesystem to `repo:tag` (files written outside volumes) and
   *    create the new container from that image;
   * 3. stop it (unpausing first), rename it to `<name>-replaced-<base36 ms>`;
   * 4. create the new container under the original name (anonymous volumes re-attached, extra
   *    networks connected) and start it if the original was running (or paused);
   * 5. on success remove the original (without its volumes); on any failure in 3-4 remove the
   *    half-made new container, rename the original back, start (and re-pause) it as it was, and
   *    rethrow the error. A snapshot image already committed is kept (it is the user's data).
   * A container created with `--rm` (AutoRemove) is refused: Docker deletes it, and its anonymous
   * volumes, the moment it stops, so it could not be put back.
   *
   * @param change bindings/mounts to add and the host IP for bindings that name none; `change.image`
   *   is ignored when `commitAs` is given.
   * @param options.commitAs snapshot image name; `labels` are added to it (e.g. a test label).
   * @param options.graceSeconds stop timeout before SIGKILL, in s (default 10, as `docker stop`).
   * @returns the new container's id and name, the snapshot image reference (`repo:tag`) when
   *   committed, and `leftOver`: the renamed original's name if removing it failed (it is stopped).
   * @throws UserError from `recreateOptions` (port already published, target already mounted...),
   *   or for an AutoRemove container; EngineError from the engine (e.g. 'portInUse' when the new
   *   host port is taken), after the rollback. If the rollback itself fails the error says where
   *   the original container is.
   */
  async recreateContainer(
    id: string,
    change: RecreateChange,
    options: { commitAs?: { repo: string; tag: string; labels?: Record<string, string> }; graceSeconds?: number } = {},
  ): Promise<{ id: string; name: string; snapshotImage?: string; leftOver?: string }> {
    const inspect = await this.inspectContainer(id);
    const oldId = String(inspect.Id);
    const name = String(inspect.Name ?? '').replace(/^\//, '');
    const state = (inspect.State ?? {}) as { Running?: boolean; Paused?: boolean };
    const wasPaused = state.Paused === true;
    const wasRunning = state.Running === true || wasPaused;
    if ((inspect.HostConfig as { AutoRemove?: boolean } | undefined)?.AutoRemove === true) {
      throw new UserError(`Container ${name} was started with remove-on-exit (--rm): Docker deletes it as soon as it stops, so it cannot be recreated safely.`, {
        hint: 'Run the image again with the new port or mount (a profile keeps the settings), or commit the container to an image first and run that.',
      });
    }
    const snapshotImage = options.commitAs ? `${options.commitAs.repo}:${options.commitAs.tag}` : undefined;
    const body = recreateOptions(inspect, { ...change, ...(snapshotImage ? { image: snapshotImage } : {}) });
    const networks = extraNetworks(inspect);
    if (options.commitAs) await this.commitContainer(oldId, options.commitAs.repo, options.commitAs.tag, options.commitAs.labels);

    const grace = options.graceSeconds ?? 10;
    if (wasPaused) await this.unpauseContainer(oldId);
    if (wasRunning) await this.stopContainer(oldId, grace);
    const replacedName = `${name}-replaced-${Date.now().toString(36)}`;
    let renamed = false;
    let newId: string | undefined;
    try {
      await this.renameContainer(oldId, replacedName);
      renamed = true;
      const created = await this.call(`create container ${name}`, (abortSignal) =>
        this.docker().createContainer({ ...body, abortSignal } as DockerodeNs.ContainerCreateOptions),
      );
      newId = created.id;
      for (const n of networks) {
        await this.call(`connect ${name} to network ${n.network}`, (abortSignal) =>
          this.docker().getNetwork(n.network).connect({ Container: created.id, EndpointConfig: n.endpointConfig, abortSignal } as DockerodeNs.NetworkConnectOptions),
        );
      }
      if (wasRunning) await this.call(`start container ${name}`, (abortSignal) => created.start({ abortSignal }));
      if (wasPaused) await this.pauseContainer(created.id);
    } catch (err) {
      const problems: string[] = [];
      if (newId !== undefined) {
        const half = newId;
        await this.call(`remove new container ${name}`, (abortSignal) => this.docker().getContainer(half).remove({ force: true, v: false, abortSignal })).catch((e: unknown) =>
          problems.push(e instanceof Error ? e.message : String(e)),
        );
      }
      if (renamed) await this.renameContainer(oldId, name).catch((e: unknown) => problems.push(e instanceof Error ? e.message : String(e)));
      if (wasRunning) await this.startContainer(oldId).catch((e: unknown) => problems.push(e instanceof Error ? e.message : String(e)));
      if (wasPaused) await this.pauseContainer(oldId).catch(() => undefined);
      if (problems.length > 0) {
        const where = problems.some((p) => p.includes('rename')) ? `${replacedName} (id ${oldId.slice(0, 12)})` : `${name} (id ${oldId.slice(0, 12)})`;
        throw new EngineError(`Recreating ${name} failed (${(err as Error).message}), and putting the original back did not fully work: ${problems.join('; ')}.`, err instanceof EngineError ? err.kind : 'engine', {
          hint: `Nothing was deleted: the original container is ${where}${snapshotImage ? `, and its filesystem is saved as ${snapshotImage}` : ''}.`,
          cause: err,
        });
      }
      throw err;
    }
    let leftOver: string | undefined;
    await this.call(`remove replaced container ${replacedName}`, (abortSignal) => this.docker().getContainer(oldId).remove({ force: true, v: false, abortSignal })).catch(() => {
      leftOver = replacedName;
    });
    return { id: newId, name, ...(snapshotImage ? { snapshotImage } : {}), ...(leftOver ? { leftOver } : {}) };
  }
}

/** A container run with `-it` and attached to (see {@link Engine.runInteractive}). */
export interface AttachedRun extends ShellSession {
  id: string;
  name: string;
  /** where the container's TTY output goes from now on; output so far is replayed first */
  onData(fn: (text: string) => void): void;
  /**
   * Also gives every chunk of output to `fn` (the run recorder), whoever reads it with
   * `onData`: output so far (up to 1 MiB before the first tap) is replayed first.
   */
  tap(fn: (text: string) => void): void;
  /** resolves when the attach stream (the output) has ended */
  readonly outputEnded: Promise<void>;
}

/** An interactive shell inside a container (an exec session with a TTY). */
export interface ShellSession {
  write(data: string): void;
  /** terminal size in character cells */
  resize(columns: number, rows: number): void;
  /** ends the session (the exec's process gets a hang-up when its stream closes) */
  close(): void;
  /** resolves with the shell's exit code (undefined when unknown) once the stream ends */
  readonly exited: Promise<number | undefined>;
}

/** Splits a multiplexed log buffer (8-byte frame headers: stream type, 3 zero bytes, uint32 BE length). */
export function demuxBuffer(buf: Buffer, onText: (text: string, stream: 'stdout' | 'stderr') => void): void {
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    const len = buf.readUInt32BE(i + 4);
    const body = buf.subarray(i + 8, i + 8 + len);
    onText(body.toString('utf8'), type === 2 ? 'stderr' : 'stdout');
    i += 8 + len;
  }
}
