/** @module HistoryPanel: the inputs that changed the selected actor, newest first, with the state before and after, the changed fields and the cause. */
import { useEffect, useState } from 'preact/hooks';
import type { ActorHistory, HistoryEntry } from '../inspectorApi.js';
import { api } from './api.js';
import { clock, short, stateText } from './format.js';
import { statusColor } from './statusColors.js';

interface Props {
  address: string;
  position: number;
  firstSeq: number;
  onSeek(seq: number): void;
}

/** Inputs per history request: without the actor index the server steps through each of them. */
const historyWindow = 1000;

function causeText(c: HistoryEntry['cause']): string {
  if (typeof c === 'string') return c;
  const o = c as Record<string, unknown>;
  let text = String(o.kind ?? 'input');
  if (o.input) text += ` (${String(o.input)})`;
  if (o.from) text += ` from ${String(o.from)}`;
  if (o.event && o.event !== o.input) text += ` · event ${String(o.event)}`;
  return text;
}

function statusOf(side: HistoryEntry['before']): string {
  return side ? (side.status ?? stateText(side.value)) : '';
}

export function HistoryPanel({ address, position, firstSeq, onSeek }: Props) {
  const [history, setHistory] = useState<ActorHistory>();
  const [earlier, setEarlier] = useState<HistoryEntry[]>([]);
  const [from, setFrom] = useState<number>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    setEarlier([]);
    setFrom(undefined);
    const t = setTimeout(() => {
      api.history(address, position, Math.max(firstSeq, position - historyWindow)).then(
        (h) => {
          if (!live) return;
          setHistory(h);
          setFrom(h.from);
          setError(undefined);
        },
        (e: Error) => live && setError(e.message),
      );
    }, 80);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [address, position, firstSeq]);
  if (error) return <p class="error">{error}</p>;
  if (!history) return <p class="muted">Loading history…</p>;
  const entries = [...earlier, ...history.entries].reverse();
  const loadEarlier = async () => {
    if (from === undefined) return;
    const h = await api.history(address, from, Math.max(firstSeq, from - historyWindow));
    setEarlier((e) => [...h.entries, ...e]);
    setFrom(h.from);
  };
  return (
    <div class="history" id="history">
      <div class="small muted">
        {entries.length} change{entries.length === 1 ? '' : 's'} of {address} in inputs {(from ?? history.from) + 1}–{history.to} (
        {history.source === 'index' ? 'from the actor index' : 'replayed'})
      </div>
      <ol class="history-list">
        {entries.map((e) => {
          const fields = Object.keys({ ...(e.before?.context ?? {}), ...(e.after?.context ?? {}) });
          const b = statusOf(e.before);
          const a = statusOf(e.after);
          return (
            <li key={e.seq} data-seq={e.seq} class={e.seq === position ? 'current' : ''}>
              <div class="history-head">
                <button type="button" class="link" onClick={() => onSeek(e.seq)} title="Go to this input">
                  #{e.seq}
                </button>
                <span class="muted">{clock(e.at)}</span>
                <span class="cause">{causeText(e.cause)}</span>
              </div>
              <div class="history-states">
                {b ? (
                  <span class="status-badge" style={{ background: statusColor(b) }}>
                    {b}
                  </span>
                ) : (
                  <span class="muted">(new)</span>
                )}
                {' → '}
                {a ? (
                  <span class="status-badge" style={{ background: statusColor(a) }}>
                    {a}
                  </span>
                ) : (
                  <span class="muted">(gone)</span>
                )}
              </div>
              {fields.length > 0 && (
                <table class="fields">
                  <tbody>
                    {fields.map((f) => (
                      <tr key={f}>
                        <td class="k">{f}</td>
                        <td class="old">{e.before?.context && f in e.before.context ? short(e.before.context[f], 60) : ''}</td>
                        <td class="new">{e.after?.context && f in e.after.context ? short(e.after.context[f], 60) : ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          );
        })}
      </ol>
      {(from ?? history.from) > firstSeq && (
        <button type="button" id="history-earlier" onClick={() => void loadEarlier()}>
          Earlier changes (before input {(from ?? history.from) + 1})
        </button>
      )}
    </div>
  );
}
