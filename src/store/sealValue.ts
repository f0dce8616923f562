/** @module sealValue: a CRC-32 over a stored entry's key and value, kept in front of the value, so damage to either is seen on read. */
import { crc32 } from 'node:zlib';

/** Bytes the seal adds in front of every stored value. */
export const sealSize = 4;

/**
 * The checksum of one entry. The key takes part (a string key as itself, others as JSON) so an
 * entry whose key was damaged fails its check like one whose value was.
 * @example entryChecksum('task:t1', bytes) // 0..2**32-1
 */
export function entryChecksum(key: unknown, payload: Uint8Array): number {
  return crc32(payload, crc32(typeof key === 'string' ? key : JSON.stringify(key)));
}

/**
 * `payload` with its seal in front.
 * @example const stored = sealValue(7, encode(record))
 */
export function sealValue(key: unknown, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(sealSize + payload.length);
  out.writeUInt32LE(entryChecksum(key, payload), 0);
  out.set(payload, sealSize);
  return out;
}

/**
 * The payload of a sealed value, or a description of what is wrong with it.
 * @example const r = unsealValue(7, stored); if (typeof r === 'string') throw new Error(r)
 */
export function unsealValue(key: unknown, stored: Uint8Array): Uint8Array | string {
  if (stored.length < sealSize) return `value of ${stored.length} bytes is shorter than its ${sealSize}-byte checksum`;
  const payload = stored.subarray(sealSize);
  return keptChecksum(stored) === entryChecksum(key, payload) ? payload : 'checksum mismatch (the key or the value was altered)';
}

/**
 * One entry's share of a database digest: its stored checksum (not recomputed, so summing a whole
 * database stays cheap) mixed with a checksum of its key as it is now, so a renamed entry changes it.
 * Keys are strings; the key's part is the CRC-32 of the bytes LMDB keeps for it.
 * @example sum = (sum + entryDigest('task:t1', stored)) >>> 0
 */
export function entryDigest(key: string, stored: Uint8Array): number {
  // lmdb-js keeps a string key as its UTF-8 bytes unless it escapes a character (codes 0-4, or a
  // first character below 28); such keys (never an actor address) take no part, on both sides.
  const escaped = key.length === 0 || key.charCodeAt(0) < 28 || /[\0-\x04]/.test(key);
  return (keptChecksum(stored) ^ (escaped ? 0 : crc32(key))) >>> 0;
}

/**
 * `entryDigest` from an entry as LMDB stores it, in place: the key is `bytes[keyStart..keyEnd)` and
 * `kept` the checksum at the front of its value (for a walk over the raw file, once per entry).
 * @example sum = (sum + rawEntryDigest(page, 32, 39, page.readUInt32LE(39))) >>> 0
 */
export function rawEntryDigest(bytes: Uint8Array, keyStart: number, keyEnd: number, kept: number): number {
  const escaped = keyEnd === keyStart || bytes[keyStart] === 27 || bytes.subarray(keyStart, keyEnd).includes(4);
  if (escaped) return kept >>> 0;
  // CRC-32 (the same as zlib's) of the key bytes, here to spare a native call per key.
  let c = 0xffffffff;
  for (let i = keyStart; i < keyEnd; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (kept ^ ~c) >>> 0;
}

const crcTable = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** The checksum in front of a sealed value (read in place: this runs for every entry of a walk). */
function keptChecksum(stored: Uint8Array): number {
  return stored.length < sealSize ? 0 : (stored[0]! | (stored[1]! << 8) | (stored[2]! << 16) | (stored[3]! << 24)) >>> 0;
}
