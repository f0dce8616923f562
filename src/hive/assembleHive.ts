/**
 * @module assembleHive: builds a hive's parts (store, executor, kernel, inspector) in order, and
 * the one ordered list of closers that takes them down in reverse.
 */
import type { Logger } from 'pino';
import { Colonies } from '../colony/Colonies.js';
import { defaultCloseOptions } from '../closeOptions.js';
import { Bidders } from '../effects/Bidders.js';
import { agentStatsOf, openAuctionClosesAt } from './marketQueries.js';
import { Executor } from '../effects/Executor.js';
import type { Handler } from '../effects/types.js';
import type { AgentSpec, TaskSpec } from '../specs.js';
import type { AgentView, TaskView } from '../views.js';
import { startInspector, type InspectorServer } from '../inspect/InspectorServer.js';
import { startHttpListener, type HttpListener } from './HttpListener.js';
import { startNotifier } from './Notifier.js';
import { Kernel } from '../kernel/Kernel.js';
import { openReplay } from '../replay/Replay.js';
import { EffectRouter } from '../remote/EffectRouter.js';
import { openDataDir } from '../replay/ReplaySource.js';
import { HiveStore } from '../store/HiveStore.js';
import type { CompiledHiveOptions } from './compileHiveOptions.js';
import { syncRateLimits } from './syncRateLimits.js';
import { broadcastMessage, messageView, sendMessage } from './messageCommands.js';
import { MessageRunner } from './MessageRunner.js';
import { syncQueueLimit } from './syncQueueLimit.js';
import { syncInsights } from './syncInsights.js';

export interface HiveParts {
  store: HiveStore;
  kernel: Kernel;
  executor: Executor;
  /** In-process handlers of agents spawned with `handler`, by agent id. */
  agentHandlers: Map<string, Handler>;
  colonies: Colonies;
  /** Delivers envelopes to agents' `onMessage` handlers (kept by agent id). */
  messages: MessageRunner;
  /** What a handler's `ctx.spawnAgent` and `ctx.postTask` call; the hive facade fills them in. */
  subWork: {
    spawnSubAgent?(parentAgentId: string, spec: AgentSpec): Promise<AgentView>;
    postSubTask?(parentTaskId: string, spec: TaskSpec): Promise<TaskView>;
  };
  /** In-process bid functions of agents spawned with `bid`. */
  bidders: Bidders;
  inspector: InspectorServer | undefined;
  /** The HTTP listener started by the `http` option (webhooks). */
  http: HttpListener | undefined;
  logger: Logger;
  /** Closes everything that was opened, last opened first; running handlers get `abortTimeoutMs` to return. */
  close(abortTimeoutMs?: number): Promise<void>;
  /** Adds something opened later (the control socket) to be closed first. */
  addCloser(closer: () => Promise<void>): void;
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
    const subWork: HiveParts['subWork'] = {};
    const executor = new Executor({
      spawnSubAgent: (parentAgentId, spec) => subWork.spawnSubAgent!(parentAgentId, spec),
      postSubTask: (parentTaskId, spec) => subWork.postSubTask!(parentTaskId, spec),
      submit: (input) => kernel!.submit(input),
      task: (id) => kernel!.getTask(id),
      handlerFor: (agentId, type) => agentHandlers.get(agentId) ?? o.handlers.get(type),
      verifierFor: (type) => o.verifiers.get(type),
      logger,
    });
    const colonies = new Colonies({ kernel: () => kernel!, logger, idempotency: o.idempotency, handlers: o.colonies });
    const messages = new MessageRunner({
      submit: (input) => kernel!.submit(input),
      view: (id) => messageView(kernel!, id),
      send: (from, spec) => sendMessage(kernel!, o.messages, spec, from),
      broadcast: (from, channel, payload, options) => broadcastMessage(kernel!, o.messages, channel, payload, options, from),
      logger,
    });
    // Attempts of remote agents go over NATS (when the hive has the `nats` option), the rest run here.
    const router = new EffectRouter(executor, (id) => kernel!.hostsLiveActor('remote', id), logger);
    const bidders = new Bidders({
      submit: (input) => kernel!.submit(input),
      task: (id) => kernel!.getTask(id) as { id: string; type: string; input: unknown; priority: number } | undefined,
      stats: (agentId) => agentStatsOf(kernel!, agentId),
      closesAt: (taskId) => openAuctionClosesAt(kernel!, taskId),
      now: () => o.clock.now(),
      logger,
    });
    const effects = {
      execute: router.execute.bind(router),
      verify: router.verify.bind(router),
      abort: router.abort.bind(router),
      resume: router.resume.bind(router),
      worker: colonies.runner.handle.bind(colonies.runner),
      askBids: bidders.askBids.bind(bidders),
      message: messages.deliver.bind(messages),
    };
    kernel = new Kernel({
      store,
      clock: o.clock,
      logger,
      effects,
      checkpointEvery: o.checkpointEvery,
      checkpointMs: o.checkpointMs,
      timers: !o.intakeOnly,
      recordChanges: o.history,
    });
    const k = kernel;
    for (const [type, fn] of o.on) kernel.on(type, fn);
    closers.push(() => k.close());
    closers.push(async () => {
      await Promise.all([executor.abortAll('the hive is closing', abortTimeoutMs), colonies.runner.abortAll('the hive is closing', abortTimeoutMs)]);
    });
    if (o.notify) startNotifier(kernel, o.notify, logger);
    const r = kernel.recover();
    if (r.replayed > 0 || r.restoredTasks > 0) logger.info(r, 'recovered');
    // The hub opens before work in flight resumes: it knows which remote workers still run theirs.
    if (o.nats) {
      // Loaded only here: a hive without the `nats` option never loads NATS code.
      const { RemoteHub } = await import('../remote/RemoteHub.js');
      const hub = await RemoteHub.open({
        nats: o.nats,
        kernel: k,
        logger,
        clock: o.clock,
        hasLocalVerifier: (type) => o.verifiers.has(type),
        postSubTask: (parentTaskId, spec) => subWork.postSubTask!(parentTaskId, spec),
      });
      closers.push(() => hub.close());
      router.remote = hub;
      bidders.remote = hub;
    }
    // Journaled before attempts in flight are handed out again, so that they go only to agents this
    // process has a handler for. An intake-only open makes every agent detached: nothing is
    // assigned, and attempts that were running stay as they are for the next full open.
    const opened =
      r.restoredAgents > 0 ? { type: 'hive.opened' as const, handlerTypes: [...o.handlers.keys()], ...(o.intakeOnly ? { intakeOnly: true } : {}) } : undefined;
    if (o.intakeOnly) await (opened && kernel.submit(opened));
    else await Promise.all(kernel.resumeInFlight(opened));
    // After resuming: tasks started by a changed limit must not be taken for attempts lost in a crash.
    // An intake-only open (the CLI on a free directory) leaves the directory's limits as they are.
    if (!o.intakeOnly) await syncRateLimits(kernel, o.rateLimits);
    if (!o.intakeOnly) await syncQueueLimit(kernel, o.queueLimit);
    if (!o.intakeOnly) await syncInsights(kernel, o.insights);
    let inspector: InspectorServer | undefined;
    if (o.inspect) {
      const replay = await openReplay(openDataDir(o.dataDir));
      closers.push(() => replay.close());
      const server = await startInspector(
        {
          replay,
          live: {
            inspect: (fn) => k.inspect(fn),
            contextOf: (address) => (k.actorSnapshot(address)?.snapshot as { context?: unknown } | undefined)?.context,
            pendingAudit: () => k.pendingAudit(),
          },
        },
        o.inspect,
      );
      closers.push(() => server.close());
      inspector = server;
      logger.info({ url: server.url }, 'inspector listening');
    }
    let http: HttpListener | undefined;
    if (o.http) {
      const listener = await startHttpListener(o.http, { webhook: (path, body, signature, key) => colonies.handleWebhook(path, body, signature, key) });
      closers.push(() => listener.close());
      http = listener;
      logger.info({ url: listener.url }, 'http listener (webhooks) listening');
    }
    return {
      store,
      kernel,
      executor,
      agentHandlers,
      colonies,
      messages,
      subWork,
      bidders,
      inspector,
      http,
      logger,
      close,
      addCloser: (c) => void closers.push(c),
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
