/** @module ActorList: counts per kind and status, search, and the actor tree as a virtualised list fetched a page at a time. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DirectoryCounts, DirectoryEntry } from '../inspectorApi.js';
import { api } from './api.js';
import { statusColor } from './statusColors.js';

const rowHeight = 24;
const pageSize = 100;

interface Props {
  seq: number;
  counts: DirectoryCounts | undefined;
  selected: string;
  onSelect(address: string): void;
}

export function ActorList({ seq, counts, selected, onSelect }: Props) {
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [status, setStatus] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const [total, setTotal] = useState(0);
  const [, setVersion] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  // Pages of the current query; rows of the previous one are shown until the new ones arrive.
  const pages = useRef({ key: '', rows: new Map<number, DirectoryEntry[]>(), stale: new Map<number, DirectoryEntry[]>(), loading: new Set<number>() });
  const key = JSON.stringify([seq, q, kind, status]);
  if (pages.current.key !== key) {
    const sameQuery = pages.current.key !== '' && JSON.stringify(JSON.parse(pages.current.key).slice(1)) === JSON.stringify([q, kind, status]);
    pages.current = { key, rows: new Map(), stale: sameQuery ? pages.current.rows : new Map(), loading: new Set() };
  }

  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 200);
    return () => clearTimeout(t);
  }, [text]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - 5);
  const last = Math.floor((scrollTop + height) / rowHeight) + 5;
  useEffect(() => {
    const p = pages.current;
    for (let page = Math.floor(first / pageSize); page <= Math.floor(last / pageSize); page++) {
      if (p.rows.has(page) || p.loading.has(page)) continue;
      if (page > 0 && page * pageSize >= total && p.rows.size > 0) continue;
      p.loading.add(page);
      api.actors({ seq, offset: page * pageSize, limit: pageSize, q, kind, status }).then(
        (r) => {
          if (pages.current !== p) return;
          p.loading.delete(page);
          p.rows.set(page, r.items);
          setTotal(r.total);
          setVersion((v) => v + 1);
        },
        () => p.loading.delete(page),
      );
    }
  });

  const rowAt = (i: number): DirectoryEntry | undefined => {
    const page = Math.floor(i / pageSize);
    const p = pages.current;
    return (p.rows.get(page) ?? p.stale.get(page))?.[i - page * pageSize];
  };
  const rows: preact.JSX.Element[] = [];
  for (let i = first; i <= Math.min(last, total - 1); i++) {
    const a = rowAt(i);
    rows.push(
      a ? (
        <div
          key={a.address}
          class={`actor-row${a.address === selected ? ' selected' : ''}`}
          style={{ top: `${i * rowHeight}px`, paddingLeft: `${6 + Math.min(a.depth, 12) * 14}px` }}
          data-address={a.address}
          data-status={a.status}
          data-parent={a.parent}
          role="treeitem"
          aria-level={a.depth + 1}
          aria-selected={a.address === selected}
          tabIndex={0}
          onClick={() => onSelect(a.address)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' && e.key !== ' ') return;
            e.preventDefault();
            onSelect(a.address);
          }}
          title={`${a.address} · ${a.status}${a.parent ? ` · under ${a.parent}` : ''}`}
        >
          <span class="status-dot" style={{ background: statusColor(a.status) }} />
          <span class="addr">{a.address}</span>
          <span class="status-badge" style={{ background: statusColor(a.status) }}>
            {a.status}
          </span>
          {a.children > 0 && <span class="muted small">{a.children}</span>}
        </div>
      ) : (
        <div key={`placeholder-${i}`} class="actor-row placeholder" style={{ top: `${i * rowHeight}px` }}>
          …
        </div>
      ),
    );
  }

  const kindNames = Object.keys(counts?.kinds ?? {});
  const statuses = kind && counts?.kinds[kind] ? Object.entries(counts.kinds[kind]!.byStatus).sort((a, b) => b[1] - a[1]) : [];
  return (
    <div class="actor-list">
      <div class="counts" id="counts">
        <button
          type="button"
          class={`chip${kind === '' ? ' on' : ''}`}
          onClick={() => {
            setKind('');
            setStatus('');
          }}
        >
          all <b>{(counts?.total ?? 0).toLocaleString('en')}</b>
        </button>
        {kindNames.map((k) => (
          <button
            type="button"
            key={k}
            data-kind={k}
            class={`chip${kind === k ? ' on' : ''}`}
            onClick={() => {
              setKind(kind === k ? '' : k);
              setStatus('');
            }}
          >
            {k} <b>{counts!.kinds[k]!.total.toLocaleString('en')}</b>
          </button>
        ))}
      </div>
      {statuses.length > 0 && (
        <div class="counts statuses">
          {statuses.map(([s, n]) => (
            <button
              type="button"
              key={s}
              data-status={s}
              class={`chip${status === s ? ' on' : ''}`}
              style={{ background: statusColor(s) }}
              onClick={() => setStatus(status === s ? '' : s)}
            >
              {s} <b>{n.toLocaleString('en')}</b>
            </button>
          ))}
        </div>
      )}
      <input
        id="search"
        type="search"
        placeholder="Search actors (address or status)  /"
        value={text}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      <div class="muted small list-total" id="list-total">
        {total.toLocaleString('en')} {q || kind || status ? 'matching' : 'actors'}
      </div>
      <div class="list-box" ref={box} onScroll={(e) => setScrollTop((e.target as HTMLDivElement).scrollTop)}>
        <div class="list-inner" role="tree" aria-label="actors" style={{ height: `${total * rowHeight}px` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
