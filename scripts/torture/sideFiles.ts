/** @module Append-only side files the torture child writes and the checker reads (one JSON object per line). */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type SideFile =
  | 'acked'
  | 'cancelled'
  | 'starts'
  | 'checkpoints'
  | 'outputs'
  | 'terminal'
  | 'violations'
  | 'resumed'
  | 'cycles'
  | 'intruders'
  | 'refused';

/** Appends one record synchronously (it is on disk before the next await). */
export function append(dir: string, file: SideFile, record: object): void {
  appendFileSync(join(dir, `${file}.jsonl`), `${JSON.stringify(record)}\n`);
}

/** Reads every complete record; a line cut short by SIGKILL is ignored. */
export function readAll<T>(dir: string, file: SideFile): T[] {
  const path = join(dir, `${file}.jsonl`);
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // the last line of a killed process may be partial
    }
  }
  return out;
}
