/** @module withReadStore: runs a command body against a read-only view of a data directory, then closes it. */
import { openReadStore, type ReadStore } from '../query/readStore.js';

/**
 * Opens `dir` read-only, runs `fn`, closes the view.
 * @example await withReadStore('./.hivestate', (view) => console.log(view.status()))
 */
export async function withReadStore<T>(dir: string, fn: (view: ReadStore) => T | Promise<T>): Promise<T> {
  const view = openReadStore(dir);
  try {
    return await fn(view);
  } finally {
    await view.close();
  }
}
