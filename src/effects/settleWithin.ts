/** @module settleWithin: waiting a bounded time for running handlers to return (closing a hive). */

/**
 * Waits until every promise in `done` has settled or `timeoutMs` has passed, whichever is first;
 * resolves with how many were still running then (0 when all returned in time).
 * @example const abandoned = await settleWithin(running.map((r) => r.done), 5000)
 */
export async function settleWithin(done: Promise<unknown>[], timeoutMs: number): Promise<number> {
  let pending = done.length;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(done.map((d) => d.then(() => void pending--))), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  return pending;
}
