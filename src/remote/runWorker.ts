/**
 * @module runWorker: the public entry point of a remote worker. Options are checked here; the NATS
 * client is loaded only when a worker actually starts, so importing hivestate never loads it.
 */
import { compileWorkerOptions, type WorkerOptions } from './compileWorkerOptions.js';
import type { RemoteWorker } from './Worker.js';

export type { WorkerOptions } from './compileWorkerOptions.js';
export type { RemoteWorker } from './Worker.js';

/**
 * Starts a remote worker: its agent registers with the hive over NATS and then runs the attempts
 * the hive assigns to it. Resolves once registered (it waits while no hive answers).
 * @example
 * const worker = await runWorker({ servers: 'nats://127.0.0.1:4222', agent: { id: 'w1', name: 'builder', capabilities: ['build'], maxConcurrent: 4 }, handlers: { build } })
 * await worker.close()
 */
export async function runWorker(options: WorkerOptions): Promise<RemoteWorker> {
  const o = compileWorkerOptions(options);
  const { startWorker } = await import('./Worker.js');
  return startWorker(o);
}
