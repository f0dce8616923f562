/** @module InspectorServer: HTTP + WebSocket inspector for a live hive or a recorded run, behind a random access token. */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { InspectionRecord } from '../kernel/InspectionRecord.js';
import type { Replay } from '../replay/Replay.js';
import { ValidationError } from '../errors.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { isFinishedWorkerStatus } from '../../machines/worker.js';
import { finishedMessageStatuses } from '../../machines/message.js';
import type { AuditRecord } from '../kernel/audit/AuditLog.js';
import { kinds } from '../kernel/kinds/index.js';
import { ActorDirectory, maxDirectoryPage } from './ActorDirectory.js';
import { auditTrail } from './auditTrail.js';
import { addressParam, intParam } from './urlParams.js';
import { compileInspectOptions, type InspectorOptions } from './compileInspectOptions.js';
import { actorHistory, maxHistoryWindow } from './actorHistory.js';
import { actorTree, parentInTree, type TreeActor } from './actorTree.js';
import { hostGuard } from './hostGuard.js';
import { loadInspectorAssets } from './inspectorAssets.js';
import { createReadModels, readModelView } from './readModels.js';
import { summaryAt } from './summaryAt.js';
import { swimlanes } from './swimlanes.js';
import { machinesByName, toStatelyMessages } from './statelyMessages.js';
import { listenOn } from '../listenOn.js';

export { defaultInspectorOptions, type InspectorOptions } from './compileInspectOptions.js';

/** What the inspector reads: a replay session (time travel), and for a live hive its inspection stream. */
export interface InspectorSource {
  replay: Replay;
  live?: {
    inspect(fn: (r: InspectionRecord) => void): () => void;
    contextOf?(address: string): unknown;
    /** Audit records the hive derived since its last checkpoint (not in the store yet). */
    pendingAudit?(): readonly AuditRecord[];
  };
}

export interface InspectorServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly token: string;
  close(): Promise<void>;
}

/**
 * Largest WebSocket message the inspector reads, in bytes (64 KiB). Clients only ever send small
 * control messages; a longer frame closes that socket with 1009 as soon as its header arrives, so
 * nothing is buffered for it (ws's own default is 100 MiB).
 */
export const inspectorMaxPayload = 64 * 1024;

/** Most actors one state request returns (the rest are counted, not listed). */
const maxActors = 2000;
const maxTimeline = 500;
/** Widest window of inputs one swimlane request replays. */
const maxLaneWindow = 2000;
/** A directory this many inputs behind is moved forward by the actors that changed, not listed again. */
const maxIncrement = 2000;

/**
 * Starts the inspector. The page is at `url` (which carries the token); the API and sockets need
 * the token, once, as `?token=` or an `Authorization: Bearer` header, else 401 (400 if given more than
 * once). Host and Origin must name the listener, else 403 (see `hostGuard`); a client that misbehaves
 * (resets, malformed or oversized frames) loses its own connection only.
 * @example
 * const server = await startInspector({ replay: await openReplay('./.hivestate') })
 * console.log(server.url)
 */
export async function startInspector(source: InspectorSource, options: InspectorOptions = {}): Promise<InspectorServer> {
  const o = compileInspectOptions(options);
  const { replay, live } = source;
  // Read before listening: a package without its built page fails here, not on the first request.
  const assets = loadInspectorAssets();

  // One replay session serves every request: seeks run one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T> | T): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };

  const liveModels = createReadModels();
  const sockets = new Set<WebSocket>();
  const statelySockets = new Set<WebSocket>();
  let stopLive: (() => void) | undefined;
  if (live) {
    await serial(async () => {
      await replay.seek(replay.lastSeq);
      liveModels.trigger.seed({ actors: replay.actors(), seq: replay.position });
    });
    stopLive = live.inspect((record) => {
      liveModels.trigger.record({ record });
      if (sockets.size > 0) {
        const msg = JSON.stringify({ type: 'record', record });
        for (const s of sockets) s.send(msg);
      }
      if (statelySockets.size > 0) {
        for (const m of toStatelyMessages(record, live.contextOf)) {
          const msg = JSON.stringify(m);
          for (const s of statelySockets) s.send(msg);
        }
      }
    });
  }

  /** Every token the request carries; Node keeps only the first Authorization header in `req.headers`, so read the raw ones. */
  const tokensGiven = (req: IncomingMessage, url: URL): string[] => {
    const given = url.searchParams.getAll('token');
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const value = req.rawHeaders[i + 1]!;
      if (req.rawHeaders[i]!.toLowerCase() === 'authorization' && value.startsWith('Bearer ')) given.push(value.slice(7));
    }
    return given;
  };

  // Built on the first request: the port is known only once the server listens.
  let guard: ReturnType<typeof hostGuard> | undefined;
  type Refusal = { status: 400 | 401 | 403 | 404; text: string };
  /** Why a request is refused, or its URL. The Host/Origin check comes first: a rebound page learns nothing else. */
  const admit = (req: IncomingMessage, publicPaths = false): Refusal | { url: URL } => {
    // The target is always path-relative here, so `//x` stays a path instead of becoming a host.
    const target = req.url ?? '/';
    let url: URL;
    try {
      if (!target.startsWith('/')) throw new Error('not a path');
      url = new URL(`http://inspector${target}`);
    } catch {
      return { status: 400, text: `400: the request target must be a path, got ${JSON.stringify(target.slice(0, 200))}\n` };
    }
    guard ??= hostGuard(o.host, (server.address() as AddressInfo).port);
    const misdirected = guard(req.headers);
    if (misdirected !== undefined) return { status: 403, text: `403: ${misdirected}\n` };
    // The page's script and style are the package's own files, the same for everyone: no token.
    if (publicPaths && url.pathname.startsWith('/assets/')) return { url };
    const given = tokensGiven(req, url);
    if (given.length > 1)
      return { status: 400, text: '400: the access token was given more than once; give it once, as ?token=... or an Authorization: Bearer header\n' };
    const a = Buffer.from(given[0] ?? '');
    const b = Buffer.from(o.token);
    if (given.length === 0 || a.length !== b.length || !timingSafeEqual(a, b)) {
      return { status: 401, text: '401: a valid access token is required (?token=... as printed when the inspector started)\n' };
    }
    return { url };
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  /**
   * The directory of actors at `seq` (run inside `serial`); leaves the replay at that point. Moving
   * forward a little (a live page following the hive) re-reads only the actors the new inputs touched.
   */
  let directory: ActorDirectory | undefined;
  const directoryAt = async (seq: number): Promise<ActorDirectory> => {
    const target = Math.max(replay.firstSeq, Math.min(seq, replay.lastSeq));
    if (directory && directory.seq === target) {
      await replay.seek(target);
      return directory;
    }
    if (directory && target > directory.seq && target - directory.seq <= maxIncrement) {
      const records = await replay.timeline(directory.seq, target);
      // Pruning deletes actors no record names: list them again.
      if (!records.some((r) => r.kind === 'input.applied' && r.input.type === 'hive.prune')) {
        const touched = new Set<string>();
        for (const r of records) {
          if ('address' in r) touched.add(r.address);
          else if (r.kind === 'message') touched.add(r.to).add(r.from);
          else if (r.kind === 'input.applied')
            for (const key of ['taskId', 'agentId'] as const)
              if (key in r.input) touched.add(`${key.slice(0, -2)}:${(r.input as Record<string, string>)[key]}`);
        }
        const changed = new Map<string, ReturnType<Replay['actor']>>();
        for (const a of touched) changed.set(a, replay.actor(a));
        directory.update(changed, replay.position);
        return directory;
      }
    }
    const position = await replay.seek(target);
    directory = ActorDirectory.fromActors(replay.actors(), position);
    return directory;
  };

  const stateAt = (seq: number) =>
    serial(async () => {
      const position = await replay.seek(seq);
      const actors = replay.actors();
      const models = createReadModels();
      models.trigger.seed({ actors, seq: position });
      const tree = actorTree(actors);
      // Tasks and workers can be many: unfinished ones first, then the most recent finished ones.
      const many = (a: TreeActor) => a.kind === 'task' || a.kind === 'worker' || a.kind === 'message';
      const done = (a: TreeActor) =>
        a.kind === 'worker'
          ? isFinishedWorkerStatus(a.status)
          : a.kind === 'message'
            ? finishedMessageStatuses.includes(a.status)
            : isTerminalTaskStatus(a.status);
      const order = (a: TreeActor) =>
        ((a.context as { order?: number; spec?: { order?: number } }).spec?.order ?? (a.context as { order?: number }).order ?? 0) - (done(a) ? 2 ** 52 : 0);
      const tasks = tree.filter(many).sort((a, b) => order(b) - order(a));
      const shown = tree.filter((a) => !many(a)).concat(tasks.slice(0, maxActors));
      return {
        seq: position,
        lastSeq: replay.lastSeq,
        actors: shown,
        truncated: tree.length - shown.length,
        models: readModelView(models.getSnapshot().context),
      };
    });

  const routes: Record<string, (url: URL) => Promise<unknown> | unknown> = {
    '/api/info': () => ({
      origin: replay.source.origin,
      firstSeq: replay.firstSeq,
      lastSeq: replay.lastSeq,
      live: live !== undefined,
      kinds: Object.keys(kinds),
      machines: Object.fromEntries(Object.entries(kinds).map(([k, kind]) => [k, kind.stepper.machine.toJSON()])),
    }),
    '/api/summary': (url) => serial(async () => summaryAt(replay, await directoryAt(intParam(url, 'seq', replay.lastSeq)))),
    '/api/actors': (url) =>
      serial(async () => {
        const dir = await directoryAt(intParam(url, 'seq', replay.lastSeq));
        const query = {
          offset: intParam(url, 'offset', 0, 0),
          limit: intParam(url, 'limit', 100, 0, maxDirectoryPage),
          q: url.searchParams.get('q') ?? '',
          kind: url.searchParams.get('kind') ?? '',
          status: url.searchParams.get('status') ?? '',
        };
        const focus = url.searchParams.get('focus');
        return { ...dir.page(query), ...(focus ? { focusIndex: dir.indexOf(focus, query) } : {}) };
      }),
    '/api/state': (url) => stateAt(intParam(url, 'seq', replay.lastSeq)),
    '/api/actor': (url) =>
      serial(async () => {
        await replay.seek(intParam(url, 'seq', replay.lastSeq));
        const a = replay.actor(url.searchParams.get('address') ?? '');
        return a ? { ...a, parent: parentInTree(a) } : null;
      }),
    '/api/history': (url) => {
      const address = addressParam(url);
      const to = intParam(url, 'to', replay.lastSeq, 0);
      const from = intParam(url, 'from', Math.max(0, to - maxHistoryWindow), 0);
      return serial(() => actorHistory(replay, address, { from, to }));
    },
    '/api/lanes': (url) => {
      const to = intParam(url, 'to', replay.lastSeq, 0);
      const from = intParam(url, 'from', Math.max(0, to - 50), 0, to);
      if (to - from > maxLaneWindow) throw new ValidationError('from', `the window from..to may span at most ${maxLaneWindow} inputs, got ${to - from}`);
      const focus = url.searchParams.get('focus') ?? undefined;
      const only = url.searchParams.get('only') === '1';
      return serial(async () => swimlanes(await replay.timeline(from, to), from, Math.min(to, replay.lastSeq), { ...(focus ? { focus } : {}), only }));
    },
    '/api/timeline': (url) =>
      serial(async () => {
        const to = intParam(url, 'to', replay.lastSeq);
        const from = Math.max(0, intParam(url, 'from', to - 20));
        return (await replay.timeline(from, to)).slice(-maxTimeline);
      }),
    '/api/inputs': (url) => replay.inputs(intParam(url, 'from', 0), intParam(url, 'to', replay.lastSeq)).slice(0, maxTimeline),
    '/api/diff': (url) => serial(() => replay.diff(intParam(url, 'from', 0), intParam(url, 'to', replay.lastSeq))),
    '/api/changes': (url) => {
      const from = intParam(url, 'from', 0, 0);
      const to = intParam(url, 'to', replay.lastSeq, 0);
      const offset = intParam(url, 'offset', 0, 0);
      const limit = intParam(url, 'limit', 100, 0, maxDirectoryPage);
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      return serial(async () => {
        const all = (await replay.diff(from, to)).filter((c) => !q || c.address.toLowerCase().includes(q));
        const counts = { added: 0, removed: 0, changed: 0 };
        for (const c of all) counts[c.change]++;
        return { from, to, total: all.length, counts, offset, items: all.slice(offset, offset + limit) };
      });
    },
    '/api/audit': (url) => auditTrail(replay, live?.pendingAudit?.() ?? [], addressParam(url), intParam(url, 'seq', replay.lastSeq, 0)),
    '/api/models': () => (live ? readModelView(liveModels.getSnapshot().context) : stateAt(replay.lastSeq).then((s) => s.models)),
  };

  const server = createServer((req, res) => {
    const admitted = admit(req, true);
    if (!('url' in admitted)) {
      res.writeHead(admitted.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(admitted.text) });
      res.end(admitted.text);
      return;
    }
    const { url } = admitted;
    if (req.method !== 'GET') return json(res, 405, { error: 'only GET is served' });
    const asset = url.pathname === '/' ? assets.get('index.html') : url.pathname.startsWith('/assets/') ? assets.get(url.pathname.slice(8)) : undefined;
    if (asset) {
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(asset.body);
      return;
    }
    if (url.pathname.startsWith('/assets/')) return json(res, 404, { error: `no such asset: ${url.pathname}` });
    const route = routes[url.pathname];
    if (!route) return json(res, 404, { error: `no such path: ${url.pathname}` });
    Promise.resolve()
      .then(() => route(url))
      .then(
        (body) => json(res, 200, body),
        (err: Error) => json(res, err instanceof ValidationError ? 400 : 500, { error: err.message }),
      );
  });

  // Node removes its own error listener from a socket it hands to 'upgrade' (and ws swaps listeners
  // during the handshake); without one of ours, a reset from a refused client is an uncaught error.
  server.on('connection', (socket) => socket.on('error', () => socket.destroy()));

  const refuseUpgrade = (socket: Duplex, { status, text }: Refusal) => {
    const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: inspectorMaxPayload });
  server.on('upgrade', (req, socket: Duplex, head) => {
    const admitted = admit(req);
    if (!('url' in admitted)) return refuseUpgrade(socket, admitted);
    const { url } = admitted;
    if (url.pathname !== '/ws' && url.pathname !== '/stately') {
      return refuseUpgrade(socket, { status: 404, text: `404: no socket at ${url.pathname}; sockets are served at /ws and /stately\n` });
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const set = url.pathname === '/ws' ? sockets : statelySockets;
      set.add(ws);
      // A malformed or oversized frame: ws has already closed this socket (1002/1009); the rest go on.
      ws.on('error', () => set.delete(ws));
      ws.on('close', () => set.delete(ws));
      if (url.pathname === '/ws') ws.send(JSON.stringify({ type: 'hello', lastSeq: replay.lastSeq, live: live !== undefined }));
      else void greetStately(ws);
    });
  });

  /** A Stately client first learns every actor that exists now, then follows the live stream. */
  const greetStately = (ws: WebSocket) =>
    serial(async () => {
      await replay.seek(replay.lastSeq);
      for (const a of actorTree(replay.actors())) {
        // Kinds Stately has no definition for (added by later versions) are left out of its view.
        if (!Object.hasOwn(machinesByName, a.kind)) continue;
        const machine = a.kind as keyof typeof machinesByName;
        const record: InspectionRecord = {
          kind: 'actor.restored',
          seq: replay.position,
          at: 0,
          replaying: true,
          address: a.address,
          parent: a.kind === 'coordinator' ? '' : a.parent,
          machine,
          state: a.status,
        };
        for (const m of toStatelyMessages(record, () => a.context)) ws.send(JSON.stringify(m));
      }
    });

  const { port, hostInUrl } = await listenOn(server, o.port, o.host);
  return {
    url: `http://${hostInUrl}:${port}/?token=${o.token}`,
    port,
    host: o.host,
    token: o.token,
    async close() {
      stopLive?.();
      for (const s of [...sockets, ...statelySockets]) s.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Browsers keep connections open (keep-alive); closing must not wait for them.
      server.closeAllConnections();
      await closed;
    },
  };
}
