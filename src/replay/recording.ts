/** @module recording: export a run (journal plus stored checkpoint) to one NDJSON file and import it for replay. */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { FormatError } from '../errors.js';
import type { AuditRecord } from '../kernel/audit/AuditLog.js';
import type { JournalRecord } from '../kernel/inputs.js';
import type { StoredActor, StoredTimer } from '../store/HiveStore.js';
import type { SeekEntry } from '../store/seekCodec.js';
import type { SeekItem, SegmentValue } from '../store/SeekReader.js';
import { MemorySeekReader } from './MemorySeekReader.js';
import { memorySource, type ReplaySource, type StoredState } from './ReplaySource.js';

/** Format name and version written in a recording's first line. */
export const recordingFormat = 'hivestate-recording';
export const recordingVersion = 3;

/**
 * Writes a replay source (usually a data directory) to one NDJSON file: a header line, one line
 * per journal record (`{"r":...}`), then the stored checkpoint (`{"checkpoint":...}`), its
 * actors (`{"actor":[address, stored, live]}`) and its durable timers (`{"timer":...}`), then the
 * seek data and history index the hive kept (`{"seekStart":n}`, `{"seek":...}`, `{"chunk":...}`,
 * `{"segment":...}`, `{"retired":...}`; binary parts in base64), so opening the recording needs no pass over it,
 * and last the audit log's records up to the end of the journal (`{"audit":...}`, from version 3).
 * Version 2 recordings (no audit lines) still open; their audit log reads as not kept.
 * @example await exportRecording(openDataDir('./.hivestate'), 'run.ndjson')
 */
export async function exportRecording(source: ReplaySource, file: string): Promise<{ records: number; actors: number }> {
  const out = createWriteStream(file);
  const write = async (line: unknown) => {
    if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
  };
  const lastSeq = source.lastSeq();
  await write({ format: recordingFormat, version: recordingVersion, origin: source.origin, lastSeq });
  let records = 0;
  for (const r of source.records(0, lastSeq)) {
    await write({ r });
    records++;
  }
  let actors = 0;
  const stored = source.storedState();
  if (stored && stored.seq <= lastSeq) {
    await write({ checkpoint: { seq: stored.seq, at: stored.at } });
    for (const a of stored.actors) {
      await write({ actor: [a.address, a.actor, a.live] });
      actors++;
    }
    for (const t of stored.timers) await write({ timer: t });
    const seekStart = source.seek?.start();
    if (source.seek && seekStart !== undefined) {
      await write({ seekStart, historyStart: source.seek.historyStart() });
      for (const item of source.seek.dump(stored.seq)) await write(itemLine(item));
    }
  }
  for (const audit of source.audit?.() ?? []) if (audit.seq <= lastSeq) await write({ audit });
  out.end();
  await once(out, 'finish');
  return { records, actors };
}

/**
 * Reads a recording written by `exportRecording` into a replay source.
 * @example const replay = await openReplay(await importRecording('run.ndjson'))
 */
export async function importRecording(file: string): Promise<ReplaySource> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const journal: JournalRecord[] = [];
  const actors: StoredState['actors'] = [];
  const timers: StoredTimer[] = [];
  let checkpoint: { seq: number; at: number } | undefined;
  let seekStart: number | undefined;
  let historyStart: number | undefined;
  const seekItems: SeekItem[] = [];
  let audit: AuditRecord[] | undefined;
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let item: Record<string, unknown>;
    try {
      item = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new FormatError(`${file} line ${n} is not JSON; is it a hivestate recording?`);
    }
    if (n === 1) {
      if (item.format !== recordingFormat || typeof item.version !== 'number' || item.version > recordingVersion) {
        throw new FormatError(`${file} is not a ${recordingFormat} of version ${recordingVersion} or older (header: ${line.slice(0, 120)})`);
      }
      // Version 3 keeps the audit log (maybe no record of it); older ones kept none.
      if (item.version >= 3) audit = [];
      continue;
    }
    if (item.r !== undefined) {
      const r = item.r as JournalRecord;
      const expected = journal.length === 0 ? r.seq : journal[journal.length - 1]!.seq + 1;
      if (typeof r.seq !== 'number' || r.seq !== expected || typeof r.at !== 'number' || !r.input)
        throw new FormatError(`${file} line ${n}: journal record out of order or damaged`);
      journal.push(r);
    } else if (item.checkpoint !== undefined) checkpoint = item.checkpoint as { seq: number; at: number };
    else if (item.actor !== undefined) {
      const [address, actor, live] = item.actor as [string, StoredActor, boolean | undefined];
      actors.push({ address, actor, live: live ?? actor.kind !== 'task' });
    } else if (item.timer !== undefined) timers.push(item.timer as StoredTimer);
    else if (item.audit !== undefined && audit) audit.push(item.audit as AuditRecord);
    else if (item.seekStart !== undefined) {
      seekStart = item.seekStart as number;
      historyStart = item.historyStart as number | undefined;
    } else {
      const seek = readItem(item);
      if (!seek) throw new FormatError(`${file} line ${n}: unknown entry`);
      seekItems.push(seek);
    }
  }
  if (n === 0) throw new FormatError(`${file} is empty`);
  const stored = checkpoint ? { ...checkpoint, actors, timers } : undefined;
  const seek =
    seekStart === undefined
      ? undefined
      : new MemorySeekReader(seekStart, seekItems, new Map(actors.map((a) => [a.address, a.actor])), historyStart ?? seekStart);
  return memorySource(file, journal, stored, seek, audit);
}

/** A seek item as a recording line (binary parts in base64). */
function itemLine(item: SeekItem): unknown {
  if ('seek' in item) return { seek: [item.seek[0], { ...item.seek[1], blob: Buffer.from(item.seek[1].blob).toString('base64') }] };
  if ('chunk' in item) return { chunk: [item.chunk[0], { f: base64(item.chunk[1].f), z: base64(item.chunk[1].z) }] };
  if ('segment' in item) {
    const [address, first, value] = item.segment;
    return { segment: [address, first, { ...value, z: base64(value.z) }] };
  }
  return item;
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function readItem(line: Record<string, unknown>): SeekItem | undefined {
  if (line.seek !== undefined) {
    const [seq, entry] = line.seek as [number, SeekEntry & { blob: string }];
    return { seek: [seq, { ...entry, blob: Buffer.from(entry.blob, 'base64') }] };
  }
  if (line.chunk !== undefined) {
    const [checkpoint, value] = line.chunk as [number, { f: string; z: string }];
    return { chunk: [checkpoint, { f: Buffer.from(value.f, 'base64'), z: Buffer.from(value.z, 'base64') }] };
  }
  if (line.segment !== undefined) {
    const [address, first, value] = line.segment as [string, number, Omit<SegmentValue, 'z'> & { z: string }];
    return { segment: [address, first, { ...value, z: Buffer.from(value.z, 'base64') }] };
  }
  if (line.retired !== undefined) return { retired: line.retired as [string, number, StoredActor] };
  return undefined;
}
