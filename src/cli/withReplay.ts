/** @module withReplay: what the `hivestate replay` subcommands share: the source argument, sequence numbers, output, and a session closed after use. */
import { ValidationError } from '../errors.js';
import { openReplay, type Replay } from '../replay/Replay.js';

/** Help text of every replay subcommand's SOURCE argument. */
export const replaySourceHelp = 'a data directory (opened read-only; a live hive may be writing it) or a recording file';

/** Prints one line on stdout. */
export const out = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * A sequence number from the command line (an integer >= 0), or a ValidationError naming the argument.
 * @example seqArg('--at', '120') // 120
 */
export function seqArg(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(name, `must be a sequence number (an integer >= 0), got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Opens a replay session on `source`, runs `fn` with it and closes it, also when `fn` throws.
 * @example await withReplay('./.hivestate', async (r) => out(String(r.lastSeq)))
 */
export async function withReplay(source: string, fn: (r: Replay) => Promise<void>): Promise<void> {
  const replay = await openReplay(source);
  try {
    await fn(replay);
  } finally {
    await replay.close();
  }
}
