/** @module App: the inspector page: header with the time-travel controls, actor list, the selected actor (statechart, context, history, diff), overview and swimlanes. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ActorView, Info, Summary, Swimlanes } from '../inspectorApi.js';
import { ActorList } from './ActorList.js';
import { AuditPanel } from './AuditPanel.js';
import { api, liveSocketUrl } from './api.js';
import { ContextView } from './ContextView.js';
import { DiffPanel } from './DiffPanel.js';
import { clock, stateText } from './format.js';
import { HistoryPanel } from './HistoryPanel.js';
import { Overview } from './Overview.js';
import { Statechart, type TakenTransition } from './Statechart.js';
import { statusColor } from './statusColors.js';
import { SwimlaneView } from './SwimlaneView.js';

type Tab = 'chart' | 'context' | 'history' | 'audit' | 'diff' | 'overview';
const kindOf = (address: string) => (address.includes(':') ? address.slice(0, address.indexOf(':')) : address);

export function App({ info }: { info: Info }) {
  const [lastSeq, setLastSeq] = useState(info.lastSeq);
  const [position, setPosition] = useState(info.lastSeq);
  const [mode, setMode] = useState<'live' | 'replay'>(info.live ? 'live' : 'replay');
  const [selected, setSelected] = useState('coordinator');
  const [tab, setTab] = useState<Tab>('chart');
  const [summary, setSummary] = useState<Summary>();
  const [actor, setActor] = useState<ActorView | null>();
  const [lanes, setLanes] = useState<Swimlanes>();
  const [narrow, setNarrow] = useState(() => matchMedia('(max-width: 1000px)').matches);
  const modeRef = useRef(mode);
  modeRef.current = mode;

  /** Moves to a point; the end of a live hive's run is live mode (following it), anything else replay mode. */
  const go = useCallback(
    (seq: number, max = lastSeq) => {
      const s = Math.max(info.firstSeq, Math.min(max, Math.round(seq)));
      setPosition(s);
      setMode(info.live && s >= max ? 'live' : 'replay');
    },
    [lastSeq, info],
  );

  useEffect(() => {
    const mq = matchMedia('(max-width: 1000px)');
    const on = () => setNarrow(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);

  // Live: new records move the end of the run; in live mode the page follows it (at most 4 times a second).
  useEffect(() => {
    if (!info.live) return;
    const ws = new WebSocket(liveSocketUrl());
    let newest = info.lastSeq;
    let timer: ReturnType<typeof setTimeout> | undefined;
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as { type: string; lastSeq?: number; record?: { seq: number } };
      const seq = m.type === 'hello' ? (m.lastSeq ?? 0) : (m.record?.seq ?? 0);
      if (seq <= newest && m.type !== 'hello') return;
      newest = Math.max(newest, seq);
      timer ??= setTimeout(() => {
        timer = undefined;
        setLastSeq(newest);
        if (modeRef.current === 'live') setPosition(newest);
      }, 250);
    };
    ws.onopen = () => (document.body.dataset.live = 'open');
    return () => {
      clearTimeout(timer);
      ws.close();
    };
  }, [info]);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api.summary(position).then(
        (s) => {
          if (!live) return;
          setSummary(s);
          setLastSeq((l) => Math.max(l, s.lastSeq));
          document.body.dataset.seq = String(s.seq);
          document.body.dataset.ready = 'true';
        },
        (e: Error) => (document.body.dataset.error = e.message),
      );
      api.actor(selected, position).then(
        (a) => live && setActor(a),
        () => undefined,
      );
    }, 40);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [position, selected]);

  useEffect(() => {
    document.body.dataset.mode = mode;
  }, [mode]);

  // Keyboard: arrows step (shift: 10), PageUp/PageDown 100, Home/End, L live, / search.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'range') {
        if (e.key === 'Escape') t.blur();
        return;
      }
      const step = e.shiftKey ? 10 : 1;
      const keys: Record<string, () => void> = {
        ArrowLeft: () => go(position - step),
        ArrowRight: () => go(position + step),
        PageUp: () => go(position - 100),
        PageDown: () => go(position + 100),
        Home: () => go(info.firstSeq),
        End: () => go(lastSeq),
        l: () => go(lastSeq),
        '/': () => document.getElementById('search')?.focus(),
      };
      const fn = keys[e.key];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [go, position, lastSeq, info]);

  const kind = kindOf(selected);
  const focusLane = lanes?.lanes.find((l) => l.address === selected);
  const lastTransition = focusLane?.marks.filter((m) => m.type === 'transition' && m.seq <= position).pop();
  const taken: TakenTransition | undefined = lastTransition
    ? { from: lastTransition.from!, to: lastTransition.to!, event: lastTransition.event, seq: lastTransition.seq }
    : undefined;
  const tabs: Array<[Tab, string]> = [
    ['chart', 'Statechart'],
    ['context', 'Context'],
    ['history', 'History'],
    // Coordination decisions are about tasks (an auction's are its task's).
    ...(kind === 'task' || kind === 'auction' ? ([['audit', 'Audit']] as Array<[Tab, string]>) : []),
    ['diff', 'Diff'],
    ...(narrow ? ([['overview', 'Overview']] as Array<[Tab, string]>) : []),
  ];
  const shownTab = (!narrow && tab === 'overview') || (tab === 'audit' && kind !== 'task' && kind !== 'auction') ? 'chart' : tab;

  return (
    <div class="layout">
      <header>
        <b class="brand">hivestate</b>
        <span id="origin" class="origin" title={info.origin}>
          {info.live ? 'live: ' : 'recording: '}
          {info.origin}
        </span>
        <span id="mode" class={`mode mode-${mode}`}>
          {mode === 'live' ? 'LIVE' : 'REPLAY'}
        </span>
        <div class="controls">
          <button type="button" id="first" title="First input (Home)" onClick={() => go(info.firstSeq)}>
            |◀
          </button>
          <button type="button" id="back" title="Step back (←, shift: 10)" onClick={() => go(position - 1)}>
            ◀
          </button>
          <button type="button" id="forward" title="Step forward (→, shift: 10)" onClick={() => go(position + 1)}>
            ▶
          </button>
          <button type="button" id="last" title={info.live ? 'Follow the hive (End, L)' : 'Last input (End)'} onClick={() => go(lastSeq)}>
            {info.live ? '▶| live' : '▶|'}
          </button>
        </div>
        <input
          id="slider"
          type="range"
          min={info.firstSeq}
          max={lastSeq}
          value={position}
          aria-label="time travel"
          onInput={(e) => go(Number((e.target as HTMLInputElement).value))}
        />
        <span id="seq" class="seq">
          {position} / {lastSeq}
        </span>
        <span id="clock" class="muted small">
          {summary?.seq === position ? clock(summary.at) : ''}
        </span>
      </header>
      <nav class="left">
        <ActorList seq={position} counts={summary?.counts} selected={selected} onSelect={setSelected} />
      </nav>
      <main class="center">
        <div class="actor-head" id="actor-head">
          <b>{selected}</b>{' '}
          {actor ? (
            <span class="status-badge" style={{ background: statusColor(actor.status) }}>
              {stateText(actor.snapshot.value) || actor.status}
            </span>
          ) : actor === null ? (
            <span class="muted">(not present at this point)</span>
          ) : null}
          {actor?.parent ? <span class="muted small"> under {actor.parent}</span> : null}
          {taken ? (
            <span class="muted small" id="taken">
              {' '}
              · last: {taken.from} → {taken.to} on {taken.event} (#{taken.seq})
            </span>
          ) : null}
        </div>
        <div class="tabs" role="tablist">
          {tabs.map(([t, label]) => (
            <button
              type="button"
              role="tab"
              key={t}
              id={`tab-${t}`}
              aria-selected={shownTab === t}
              class={shownTab === t ? 'on' : ''}
              onClick={() => setTab(t)}
            >
              {label}
            </button>
          ))}
        </div>
        <div class="tab-body" id="chart">
          {shownTab === 'chart' && <Statechart kind={kind} machine={info.machines[kind]} value={actor?.snapshot.value} taken={taken} />}
          {shownTab === 'context' && (actor ? <ContextView value={actor.snapshot.context} /> : <p class="muted">Not present at this point.</p>)}
          {shownTab === 'history' && <HistoryPanel address={selected} position={position} firstSeq={info.firstSeq} onSeek={go} />}
          {shownTab === 'audit' && <AuditPanel address={kind === 'auction' ? `task:${selected.slice(8)}` : selected} position={position} onSeek={go} />}
          {shownTab === 'diff' && <DiffPanel position={position} firstSeq={info.firstSeq} lastSeq={lastSeq} onSelect={setSelected} />}
          {shownTab === 'overview' && <Overview summary={summary} onSelect={setSelected} />}
        </div>
      </main>
      {!narrow && (
        <aside class="right">
          <h3>Overview</h3>
          <Overview summary={summary} onSelect={setSelected} />
        </aside>
      )}
      <footer>
        <SwimlaneView firstSeq={info.firstSeq} lastSeq={lastSeq} position={position} focus={selected} onSeek={go} onSelect={setSelected} onData={setLanes} />
      </footer>
    </div>
  );
}
