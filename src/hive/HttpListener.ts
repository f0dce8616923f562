/**
 * @module HttpListener: the hive's HTTP listener (`createHive({ http })`). It serves webhook
 * triggers at `POST /hooks/<path>`: the raw body is read (up to 1 MiB) and handed over with its
 * signature header; everything else is a 404 or 405.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { WebhookAnswer } from '../colony/Colonies.js';
import { limits } from '../validate.js';
import { listenOn } from '../listenOn.js';

export interface HttpListenerOptions {
  port: number;
  /** @default '127.0.0.1' */
  host: string;
}

export const defaultHttpListenerOptions = { host: '127.0.0.1' } as const;

export interface HttpListener {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

/** What the listener serves. */
export interface HttpRoutes {
  webhook(path: string, body: Buffer, signature: string | undefined, idempotencyKey: string | undefined): Promise<WebhookAnswer>;
}

/**
 * Starts listening; resolves once bound (port 0 picks a free one).
 * @example const http = await startHttpListener({ port: 0, host: '127.0.0.1' }, { webhook: (p, b, s, k) => colonies.handleWebhook(p, b, s, k) })
 */
export async function startHttpListener(o: HttpListenerOptions, routes: HttpRoutes): Promise<HttpListener> {
  const server = createServer((req, res) => {
    void serve(req, res, routes).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => socket.on('error', () => socket.destroy()));
  const { port, hostInUrl } = await listenOn(server, o.port, o.host);
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    host: o.host,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, routes: HttpRoutes): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!path.startsWith('/hooks/')) return send(res, 404, { error: `no such path: ${path}; webhooks are served at POST /hooks/<path>` });
  if (req.method !== 'POST') return send(res, 405, { error: 'webhooks take POST' });
  const body = await readBody(req);
  if (body === undefined) {
    send(res, 413, { error: `the body is larger than ${limits.jsonBytes} bytes` });
    req.destroy();
    return;
  }
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  let hook: string;
  try {
    hook = decodeURIComponent(path.slice('/hooks/'.length));
  } catch {
    return send(res, 400, { error: 'the path is not valid percent-encoding' });
  }
  const answer = await routes.webhook(hook, body, header('x-hivestate-signature'), header('idempotency-key'));
  send(res, answer.status, answer.body);
}

/** The raw body, or undefined once it passes the size limit. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.jsonBytes) {
        req.removeAllListeners('data');
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
