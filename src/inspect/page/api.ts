/** @module api: the page's calls to the inspector's HTTP API, with the access token from the page's own URL. */
import type { ActorHistory, ActorView, AuditTrail, ChangesPage, DirectoryPage, Info, Summary, Swimlanes } from '../inspectorApi.js';

const token = new URLSearchParams(location.search).get('token') ?? '';

/** Counts requests per path, so tests (and people) can see what the page asked for. */
export const requestLog: Array<{ path: string; ms: number }> = [];

type Params = Record<string, string | number | boolean | undefined>;

/**
 * GETs a JSON endpoint; the token goes in a header, not the URL.
 * @example await get<Info>('/api/info')
 */
export async function get<T>(path: string, params: Params = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const url = q.size > 0 ? `${path}?${q}` : path;
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  requestLog.push({ path: url, ms: Math.round(performance.now() - t0) });
  if (!res.ok) throw new Error(`${res.status} ${path}: ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

export const api = {
  info: () => get<Info>('/api/info'),
  summary: (seq: number) => get<Summary>('/api/summary', { seq }),
  actors: (p: { seq: number; offset: number; limit: number; q?: string; kind?: string; status?: string; focus?: string }) =>
    get<DirectoryPage>('/api/actors', p),
  actor: (address: string, seq: number) => get<ActorView | null>('/api/actor', { address, seq }),
  history: (address: string, to: number, from?: number) => get<ActorHistory>('/api/history', { address, to, from }),
  lanes: (p: { from: number; to: number; focus?: string; only?: boolean }) => get<Swimlanes>('/api/lanes', { ...p, only: p.only ? 1 : undefined }),
  changes: (p: { from: number; to: number; offset: number; limit: number; q?: string }) => get<ChangesPage>('/api/changes', p),
  audit: (address: string, seq: number) => get<AuditTrail>('/api/audit', { address, seq }),
};

/** The live socket's address (same host, the token as a query parameter: browsers send no headers on upgrade). */
export const liveSocketUrl = () => `${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}/ws?token=${encodeURIComponent(token)}`;
