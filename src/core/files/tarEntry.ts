/**
 * The tar a save, a new file or a new folder sends with `PUT /containers/{id}/archive?path=<folder>`:
 * one entry named after the file, with the mode and owner it must keep. The engine unpacks it into
 * the folder and applies the header's mode, uid and gid (moby's archive.Untar lchowns to the
 * header's ids when no ChownOpts are given, which `PUT .../archive` without `copyUIDGID` does), so
 * the header is where a saved file keeps its mode and owner.
 */
import * as tar from 'tar-stream';

/** What one entry of an upload tar holds. */
export interface TarEntrySpec {
  /** base name of the file or folder (no "/") */
  name: string;
  type: 'file' | 'directory';
  /** permission bits (0o7777) */
  mode: number;
  uid: number;
  gid: number;
  /** default: now */
  mtime?: Date;
  /** file contents (type 'file') */
  content?: Uint8Array;
}

/**
 * A complete tar (entry, then the end-of-archive blocks) holding one file or folder.
 * @throws Error when the name is empty or holds "/"
 */
export function singleEntryTar(spec: TarEntrySpec): Promise<Buffer> {
  if (!spec.name || spec.name.includes('/')) throw new Error(`not a base name: ${JSON.stringify(spec.name)}`);
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  const header = {
    name: spec.type === 'directory' ? `${spec.name}/` : spec.name,
    type: spec.type,
    mode: spec.mode & 0o7777,
    uid: spec.uid,
    gid: spec.gid,
    uname: '',
    gname: '',
    mtime: spec.mtime ?? new Date(),
  };
  if (spec.type === 'directory') pack.entry(header);
  else pack.entry({ ...header, size: spec.content?.length ?? 0 }, Buffer.from(spec.content ?? new Uint8Array(0)));
  pack.finalize();
  return done;
}
