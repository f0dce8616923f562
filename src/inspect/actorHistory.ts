/**
 * @module actorHistory: the inputs that changed one actor, with its state before and after and the
 * cause, for the inspector's history panel: from `replay.history` (the actor index) where the replay
 * has one, else by stepping the replay through a window of inputs and comparing the actor.
 */
import type { InspectionRecord } from '../kernel/InspectionRecord.js';
import type { Input } from '../kernel/inputs.js';
import type { Replay } from '../replay/Replay.js';
import { inputTargets } from './swimlanes.js';
import type { ActorHistory, HistoryCause, HistoryEntry, HistorySide } from './inspectorApi.js';

/** Most inputs one request steps through when the replay has no actor index. */
export const maxHistoryWindow = 5000;

type Snapshot = { value?: unknown; context?: Record<string, unknown> } | undefined;

const apiInputs = new Set(['agent.spawn', 'agent.pause', 'agent.resume', 'agent.stop', 'agent.heartbeat', 'task.post', 'task.cancel', 'hive.prune']);

function sides(
  before: { status: string; snapshot: unknown } | undefined,
  after: { status: string; snapshot: unknown } | undefined,
): [HistorySide | null, HistorySide | null] {
  const b = before?.snapshot as Snapshot;
  const a = after?.snapshot as Snapshot;
  const cb = b?.context ?? {};
  const ca = a?.context ?? {};
  const changed = [...new Set([...Object.keys(cb), ...Object.keys(ca)])].filter((k) => JSON.stringify(cb[k]) !== JSON.stringify(ca[k])).sort();
  const pick = (c: Record<string, unknown>) => Object.fromEntries(changed.filter((k) => k in c).map((k) => [k, c[k]]));
  return [
    before ? { value: b?.value, status: before.status, context: pick(cb) } : null,
    after ? { value: a?.value, status: after.status, context: pick(ca) } : null,
  ];
}

/**
 * Why an input reached `address`: a message from another actor, or the input itself (an API call,
 * an attempt's outcome, a timer).
 * @example causeOf('task:t', records) // { kind: 'outcome', input: 'attempt.failed', event: 'attempt.failed' }
 */
export function causeOf(address: string, input: Input, records: InspectionRecord[]): HistoryCause {
  const cause: HistoryCause = {
    kind: apiInputs.has(input.type)
      ? 'api'
      : input.type.startsWith('attempt.') || input.type.startsWith('verify.')
        ? 'outcome'
        : input.type === 'timer.fired'
          ? 'timer'
          : 'input',
    input: input.type,
  };
  // Inputs and timers reach actors as messages too (from 'input', 'timer'): only an actor is a sender.
  const message = records.find((r) => r.kind === 'message' && r.to === address && r.from !== address && (r.from.includes(':') || r.from === 'coordinator'));
  if (message && message.kind === 'message') {
    cause.from = message.from;
    // An input that names the actor (its task.post, its outcome) is the cause; otherwise the message is.
    if (cause.kind !== 'timer' && !inputTargets(input).includes(address)) cause.kind = 'message';
  }
  const transition = records.find((r) => r.kind === 'transition' && r.address === address);
  const event = transition?.kind === 'transition' ? transition.event.type : message?.kind === 'message' ? message.event.type : undefined;
  if (event !== undefined) cause.event = event;
  return cause;
}

/**
 * Every input in `from < seq <= to` that changed the actor, oldest first. Uses `replay.history` when
 * the replay offers it; otherwise steps through at most `maxHistoryWindow` inputs ending at `to`
 * (the result's `from` says where it started, so a caller can ask for the window before it).
 * Leaves the replay at `to`.
 * @example (await actorHistory(replay, 'task:t1', { to: replay.lastSeq })).entries.map((e) => e.after?.status)
 */
export async function actorHistory(replay: Replay, address: string, range: { from?: number; to?: number } = {}): Promise<ActorHistory> {
  const to = Math.max(replay.firstSeq, Math.min(range.to ?? replay.lastSeq, replay.lastSeq));
  const indexed = (replay as unknown as { history?: (a: string, r: { from?: number; to?: number }) => unknown }).history;
  if (typeof indexed === 'function') {
    const from = Math.max(replay.firstSeq, range.from ?? replay.firstSeq);
    // The index gives each side's state value; the page shows it as the status too.
    const side = (s: HistorySide | null) => s && { ...s, status: String(s.value) };
    const entries = ((await indexed.call(replay, address, { from, to })) as HistoryEntry[]).map((e) => ({
      ...e,
      before: side(e.before),
      after: side(e.after),
    }));
    return { address, from, to, source: 'index', entries };
  }
  const from = Math.max(replay.firstSeq, range.from ?? 0, to - maxHistoryWindow);
  const entries: HistoryEntry[] = [];
  await replay.seek(from);
  let before = replay.actor(address);
  let beforeJson = JSON.stringify(before ?? null);
  for (const rec of replay.inputs(from, to)) {
    const records = await replay.timeline(rec.seq - 1, rec.seq);
    const after = replay.actor(address);
    const afterJson = JSON.stringify(after ?? null);
    if (afterJson !== beforeJson) {
      const [b, a] = sides(before, after);
      entries.push({ seq: rec.seq, at: rec.at, input: rec.input, before: b, after: a, cause: causeOf(address, rec.input, records) });
    }
    before = after;
    beforeJson = afterJson;
  }
  return { address, from, to, source: 'replay', entries };
}
