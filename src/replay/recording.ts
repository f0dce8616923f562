/** @module recording: export a run (journal plus stored checkpoint) to one NDJSON file and import it for replay. */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { FormatError } from '../errors.js';
import type { JournalRecord } from '../kernel/inputs.js';
import type { StoredActor, StoredTimer } from '../store/HiveStore.js';
import { memorySource, type ReplaySource, type StoredState } from './ReplaySource.js';

/** Format name and version written in a recording's first line. */
export const recordingFormat = 'hivestate-recording';
export const recordingVersion = 1;

/**
 * Writes a replay source (usually a data directory) to one NDJSON file: a header line, one line
 * per journal record (`{"r":...}`), then the stored checkpoint (`{"checkpoint":...}`), its
 * actors (`{"actor":[address, stored, live]}`) and its durable timers (`{"timer":...}`).
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
  }
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
    else throw new FormatError(`${file} line ${n}: unknown entry`);
  }
  if (n === 0) throw new FormatError(`${file} is empty`);
  return memorySource(file, journal, checkpoint ? { ...checkpoint, actors, timers } : undefined);
}
