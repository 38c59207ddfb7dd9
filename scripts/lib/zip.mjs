// Reading a zip's entries from its central directory: shared by scripts/package-sizes.mjs (what
// the .vsix holds) and scripts/recompress-vsix.mjs (which rewrites it).

export const LOCAL = 0x04034b50;
export const CENTRAL = 0x02014b50;
export const END = 0x06054b50;

/**
 * The zip's entries from its central directory, with their data (APPNOTE.TXT 4.3.7, 4.3.12,
 * 4.3.16). Zip64 and multi-disk archives are refused (a .vsix is neither).
 * @param {Buffer} zip the whole file
 * @returns {{ central: Buffer, name: Buffer, method: number, flags: number, crc: number, size: number, data: Buffer }[]}
 * @throws Error when it is not a zip this script can rewrite
 */
export function readZip(zip) {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === END) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw new Error('a zip64 archive: not supported');
  const entries = [];
  for (let k = 0; k < count; k++) {
    if (zip.readUInt32LE(p) !== CENTRAL) throw new Error(`bad central directory entry ${k}`);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const central = Buffer.from(zip.subarray(p, p + 46 + nameLen + extraLen + commentLen));
    const local = zip.readUInt32LE(p + 42);
    if (zip.readUInt32LE(local) !== LOCAL) throw new Error(`bad local header for entry ${k}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const compressed = zip.readUInt32LE(p + 20);
    entries.push({
      central,
      name: central.subarray(46, 46 + nameLen),
      method: zip.readUInt16LE(p + 10),
      flags: zip.readUInt16LE(p + 8),
      crc: zip.readUInt32LE(p + 16),
      size: zip.readUInt32LE(p + 24),
      data: zip.subarray(start, start + compressed),
    });
    p += central.length;
  }
  return entries;
}
