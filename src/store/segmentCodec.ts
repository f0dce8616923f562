/** @module segmentCodec: the JSON of one actor's undo entries in a history segment, and reading them back. */
import { causeTable, packEntries, unpackEntries, type PackedEntries, type UndoEntry } from './changeCodec.js';
import { unpack } from './seekCodec.js';
import type { SegmentValue } from './SeekReader.js';

/**
 * The undo entries a segment holds.
 * @example for (const [, v] of reader.segmentsOf('agent:a1')) entries.push(...segmentEntries(v))
 */
export function segmentEntries(value: SegmentValue): UndoEntry[] {
  const packed = unpack<PackedEntries | PackedEntries[]>(value.z);
  return Array.isArray(packed) ? packed.flatMap((g) => unpackEntries(g.e, g.k)) : unpackEntries(packed.e, packed.k);
}

/** One actor's entries as the JSON of a segment. */
export function packGroup(entries: UndoEntry[]): string {
  const table = causeTable();
  const e = packEntries(entries, table);
  return JSON.stringify({ k: table.k, e } satisfies PackedEntries);
}
