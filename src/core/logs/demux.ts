/**
 * Demultiplexes the Docker Engine API's attach/logs stream of a container without a TTY
 * (`GET /containers/{id}/logs`): frames of an 8-byte header (stream type 0 stdin, 1 stdout,
 * 2 stderr; 3 zero bytes; payload length as uint32 big-endian) and the payload. Source: Docker
 * Engine API v1.41, "Attach to a container", section "Stream format".
 *
 * Unlike docker-modem's `demuxStream` (one `write` per frame, so one callback per log line,
 * and a copy of the rest of the buffer per frame), each chunk read from the engine gives one
 * `onText` call per run of frames of the same stream, and UTF-8 characters split across frames
 * or chunks are decoded whole. At full speed that is what lets the log terminal and the
 * metrics parser share one stream (bench/metrics.bench.ts).
 */
import { StringDecoder } from 'node:string_decoder';

export type LogStreamName = 'stdout' | 'stderr';

export class LogDemuxer {
  private readonly decoders: Record<LogStreamName, StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  /** bytes of a frame header that a chunk ended inside */
  private header = Buffer.alloc(0);
  /** the current frame's stream and how many of its payload bytes are still to come */
  private stream: LogStreamName = 'stdout';
  private remaining = 0;
  /** not multiplexed after all (a header with an unknown stream type): everything is stdout */
  private raw = false;

  /**
   * @param onText gets the decoded text of each run of same-stream frames in a chunk, in order
   * @param tty the container has a TTY: the stream is raw stdout, not multiplexed
   */
  constructor(
    private readonly onText: (text: string, stream: LogStreamName) => void,
    tty = false,
  ) {
    this.raw = tty;
  }

  /** Takes the next chunk of the stream (any size; frames and characters may be split). */
  push(chunk: Buffer): void {
    if (this.raw) {
      const text = this.decoders.stdout.write(chunk);
      if (text) this.onText(text, 'stdout');
      return;
    }
    let parts: Buffer[] = [];
    let runStream: LogStreamName = this.stream;
    const emit = () => {
      if (!parts.length) return;
      const text = this.decoders[runStream].write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
      parts = [];
      if (text) this.onText(text, runStream);
    };
    let off = 0;
    while (off < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - off);
        if (this.stream !== runStream) {
          emit();
          runStream = this.stream;
        }
        parts.push(chunk.subarray(off, off + n));
        off += n;
        this.remaining -= n;
        continue;
      }
      // a header: maybe partly from the last chunk
      let head: Buffer;
      if (this.header.length) {
        const need = 8 - this.header.length;
        this.header = Buffer.concat([this.header, chunk.subarray(off, off + need)]);
        off += Math.min(need, chunk.length - off);
        if (this.header.length < 8) break;
        head = this.header;
        this.header = Buffer.alloc(0);
      } else if (chunk.length - off < 8) {
        this.header = Buffer.from(chunk.subarray(off));
        break;
      } else {
        head = chunk.subarray(off, off + 8);
        off += 8;
      }
      const type = head[0];
      if (type > 2) {
        // not a multiplexed stream (as docker-modem does: pass the rest through as stdout)
        emit();
        this.raw = true;
        const rest = Buffer.concat([head, chunk.subarray(off)]);
        const text = this.decoders.stdout.write(rest);
        if (text) this.onText(text, 'stdout');
        return;
      }
      this.stream = type === 2 ? 'stderr' : 'stdout';
      this.remaining = head.readUInt32BE(4);
    }
    emit();
  }

  /** The stream ended: text of an incomplete UTF-8 sequence left in a decoder is given as is. */
  end(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      const text = this.decoders[s].end();
      if (text) this.onText(text, s);
    }
  }
}
