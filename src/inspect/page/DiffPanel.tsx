/** @module DiffPanel: which actors differ between two points of the run, a page at a time, and field by field for one of them. */
import { useEffect, useState } from 'preact/hooks';
import type { ActorView, Change, ChangesPage } from '../inspectorApi.js';
import { api } from './api.js';
import { short } from './format.js';
import { statusColor } from './statusColors.js';

interface Props {
  position: number;
  firstSeq: number;
  lastSeq: number;
  onSelect(address: string): void;
}

const limit = 50;

export function DiffPanel({ position, firstSeq, lastSeq, onSelect }: Props) {
  const [a, setA] = useState(Math.max(firstSeq, position - 10));
  const [b, setB] = useState(position);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<ChangesPage>();
  const [open, setOpen] = useState<{ change: Change; before: ActorView | null; after: ActorView | null }>();
  useEffect(() => {
    let live = true;
    const t = setTimeout(
      () =>
        api.changes({ from: a, to: b, offset, limit }).then(
          (p) => live && setPage(p),
          () => undefined,
        ),
      100,
    );
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [a, b, offset]);
  const show = async (change: Change) => {
    const [before, after] = await Promise.all([api.actor(change.address, a), api.actor(change.address, b)]);
    setOpen({ change, before, after });
  };
  const num = (set: (n: number) => void) => (e: Event) => {
    const n = Number((e.target as HTMLInputElement).value);
    if (!Number.isInteger(n)) return;
    set(Math.max(firstSeq, Math.min(lastSeq, n)));
    setOffset(0);
  };
  const ctxOf = (v: ActorView | null) => (v?.snapshot.context ?? {}) as Record<string, unknown>;
  return (
    <div class="diff" id="diff">
      <div class="diff-points">
        <label>
          from <input id="diff-a" type="number" min={firstSeq} max={lastSeq} value={a} onChange={num(setA)} />
        </label>
        <button
          type="button"
          onClick={() => {
            setA(position);
            setOffset(0);
          }}
        >
          = here
        </button>
        <label>
          to <input id="diff-b" type="number" min={firstSeq} max={lastSeq} value={b} onChange={num(setB)} />
        </label>
        <button
          type="button"
          onClick={() => {
            setB(position);
            setOffset(0);
          }}
        >
          = here
        </button>
      </div>
      {page && (
        <div class="small" id="diff-counts">
          {page.total} actors differ: {page.counts.added} added, {page.counts.changed} changed, {page.counts.removed} removed
        </div>
      )}
      <table class="changes">
        <tbody>
          {page?.items.map((c) => (
            <tr key={c.address} data-address={c.address} class={open?.change.address === c.address ? 'selected' : ''} onClick={() => void show(c)}>
              <td class={`change-${c.change}`}>{c.change}</td>
              <td>
                <button
                  type="button"
                  class="link"
                  onClick={(e) => {
                    e.stopPropagation();
                    onSelect(c.address);
                  }}
                >
                  {c.address}
                </button>
              </td>
              <td>
                {c.from && (
                  <span class="status-badge" style={{ background: statusColor(c.from) }}>
                    {c.from}
                  </span>
                )}
                {c.from && c.to ? ' → ' : ''}
                {c.to && (
                  <span class="status-badge" style={{ background: statusColor(c.to) }}>
                    {c.to}
                  </span>
                )}
              </td>
              <td class="small muted">{c.fields.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.total > limit && (
        <div class="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
            ‹ previous
          </button>
          <span class="small">
            {offset + 1}–{Math.min(page.total, offset + limit)} of {page.total}
          </span>
          <button type="button" disabled={offset + limit >= page.total} onClick={() => setOffset(offset + limit)}>
            next ›
          </button>
        </div>
      )}
      {open && (
        <div class="field-diff" id="field-diff">
          <b>{open.change.address}</b> at input {a} and at input {b}
          <table class="fields">
            <thead>
              <tr>
                <th>field</th>
                <th>at {a}</th>
                <th>at {b}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td class="k">status</td>
                <td class="old">{open.before?.status ?? '(absent)'}</td>
                <td class="new">{open.after?.status ?? '(absent)'}</td>
              </tr>
              {(open.change.fields.length > 0 ? open.change.fields : Object.keys(ctxOf(open.after))).map((f) => (
                <tr key={f}>
                  <td class="k">{f}</td>
                  <td class="old">{short(ctxOf(open.before)[f], 70)}</td>
                  <td class="new">{short(ctxOf(open.after)[f], 70)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
