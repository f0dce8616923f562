/** @module storeWriteError: turns an LMDB write failure into a StoreError that says whether the write may have been recorded. */
import type { RootDatabase } from 'lmdb';
import { StoreError } from '../errors.js';

/**
 * The StoreError for a failed LMDB write. lmdb-js rejects each write of a failed commit with a
 * generic "Commit failed" whose `commitError` promise carries the real error; that promise is
 * handled here, or it would be an unhandled rejection. Whether the write was recorded is read back:
 * LMDB makes a commit visible before syncing it (overlapping sync), so when the sync fails the write
 * is in the data file, a reopen sees it, and only a power loss could still undo it.
 * @example throw await storeWriteError(root, 'journal append of input 7', err, () => journal.get(7) !== undefined)
 */
export async function storeWriteError(root: RootDatabase, what: string, err: unknown, isRecorded: () => boolean): Promise<StoreError> {
  const reason = (await commitErrorOf(err)) ?? err;
  let recorded: boolean;
  try {
    root.resetReadTxn();
    recorded = isRecorded();
  } catch {
    recorded = true; // cannot tell: say it may have been
  }
  const code = (reason as { code?: unknown }).code;
  const detail = `${reason instanceof Error ? reason.message : String(reason)}${typeof code === 'number' ? ` (errno ${code})` : ''}`;
  return new StoreError(
    recorded
      ? `${what} failed: ${detail}; it may have been recorded: it reached the data file but was not confirmed durable, so a reopen will see it (a power loss may still undo it)`
      : `${what} failed: ${detail}; nothing was recorded`,
    { cause: reason, mayHaveBeenRecorded: recorded },
  );
}

/** The real error behind lmdb-js's "Commit failed": it follows within milliseconds, when the write thread reports. */
async function commitErrorOf(err: unknown): Promise<unknown> {
  const pending = (err as { commitError?: unknown } | null)?.commitError;
  if (!(pending instanceof Promise)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const settled = pending.then(
    () => undefined,
    (real: unknown) => real,
  );
  const real = await Promise.race([settled, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), commitErrorWaitMs)))]);
  clearTimeout(timer);
  return real;
}

const commitErrorWaitMs = 1000;
