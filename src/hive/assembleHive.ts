/**
 * @module assembleHive: builds a hive's parts (store, executor, kernel, inspector) in order, and
 * the one ordered list of closers that takes them down in reverse.
 */
import type { Logger } from 'pino';
import { defaultCloseOptions } from '../closeOptions.js';
import { Bidders } from '../effects/Bidders.js';
import { agentStatsOf } from './marketQueries.js';
import { Executor } from '../effects/Executor.js';
import type { Handler } from '../effects/types.js';
import { startInspector, type InspectorServer } from '../inspect/InspectorServer.js';
import { Kernel } from '../kernel/Kernel.js';
import { openReplay } from '../replay/Replay.js';
import { openDataDir } from '../replay/ReplaySource.js';
import { HiveStore } from '../store/HiveStore.js';
import type { CompiledHiveOptions } from './compileHiveOptions.js';

export interface HiveParts {
  store: HiveStore;
  kernel: Kernel;
  executor: Executor;
  /** In-process handlers of agents spawned with `handler`, by agent id. */
  agentHandlers: Map<string, Handler>;
  /** In-process bid functions of agents spawned with `bid`. */
  bidders: Bidders;
  inspector: InspectorServer | undefined;
  logger: Logger;
  /** Closes everything that was opened, last opened first; running handlers get `abortTimeoutMs` to return. */
  close(abortTimeoutMs?: number): Promise<void>;
}

/**
 * Opens the store, recovers the kernel, resumes work in flight and starts the inspector. A failure
 * part way closes what was opened and rethrows.
 * @example const parts = await assembleHive(compileHiveOptions({ dataDir }))
 */
export async function assembleHive(o: CompiledHiveOptions): Promise<HiveParts> {
  const logger = o.logger.child({ hive: o.dataDir });
  const closers: Array<() => Promise<void>> = [];
  let abortTimeoutMs: number = defaultCloseOptions.timeoutMs;
  const close = async (timeoutMs?: number) => {
    if (timeoutMs !== undefined) abortTimeoutMs = timeoutMs;
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const store = HiveStore.open(o.dataDir, { faults: o.faults });
    closers.push(() => store.close());
    const agentHandlers = new Map<string, Handler>();
    let kernel: Kernel | undefined;
    const executor = new Executor({
      submit: (input) => kernel!.submit(input),
      task: (id) => kernel!.getTask(id),
      handlerFor: (agentId, type) => agentHandlers.get(agentId) ?? o.handlers.get(type),
      verifierFor: (type) => o.verifiers.get(type),
      logger,
    });
    const bidders = new Bidders({
      submit: (input) => kernel!.submit(input),
      task: (id) => kernel!.getTask(id) as { id: string; type: string; input: unknown; priority: number } | undefined,
      stats: (agentId) => agentStatsOf(kernel!, agentId),
      logger,
    });
    const effects = {
      execute: (r: Parameters<Executor['execute']>[0]) => executor.execute(r),
      verify: (r: Parameters<Executor['verify']>[0]) => executor.verify(r),
      abort: (r: Parameters<Executor['abort']>[0]) => executor.abort(r),
      askBids: (r: Parameters<Bidders['askBids']>[0]) => bidders.askBids(r),
    };
    kernel = new Kernel({ store, clock: o.clock, logger, effects, checkpointEvery: o.checkpointEvery, checkpointMs: o.checkpointMs });
    const k = kernel;
    closers.push(() => k.close());
    closers.push(async () => void (await executor.abortAll('the hive is closing', abortTimeoutMs)));
    const r = kernel.recover();
    if (r.replayed > 0 || r.restoredTasks > 0) logger.info(r, 'recovered');
    await Promise.all(kernel.resumeInFlight());
    let inspector: InspectorServer | undefined;
    if (o.inspect) {
      const replay = await openReplay(openDataDir(o.dataDir));
      closers.push(() => replay.close());
      const server = await startInspector(
        { replay, live: { inspect: (fn) => k.inspect(fn), contextOf: (address) => (k.actorSnapshot(address)?.snapshot as { context?: unknown } | undefined)?.context } },
        o.inspect,
      );
      closers.push(() => server.close());
      inspector = server;
      logger.info({ url: server.url }, 'inspector listening');
    }
    return { store, kernel, executor, agentHandlers, bidders, inspector, logger, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
