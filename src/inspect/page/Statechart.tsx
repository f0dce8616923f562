/** @module Statechart: the selected actor's machine, laid out by ELK, with its current state and the transition it just took highlighted. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { MachineJson } from '../inspectorApi.js';
import { labelLineHeight, layoutStatechart, type LaidOutChart } from './layoutStatechart.js';
import { activeStateIds, chartGraph } from './statechartGraph.js';

export interface TakenTransition {
  from: string;
  to: string;
  event?: string | undefined;
  seq: number;
}

interface Props {
  kind: string;
  machine: MachineJson | undefined;
  value: unknown;
  taken: TakenTransition | undefined;
}

const path = (points: Array<{ x: number; y: number }>) => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');

/** Smallest scale the chart is shrunk to to fit its panel; below it the panel scrolls (text stays readable). */
const minScale = 0.7;

export function Statechart({ kind, machine, value, taken }: Props) {
  const graph = useMemo(() => (machine ? chartGraph(machine) : undefined), [machine]);
  const [layout, setLayout] = useState<LaidOutChart | undefined>();
  const [error, setError] = useState<string>();
  const [panel, setPanel] = useState({ width: 600, height: 400 });
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current?.parentElement;
    if (!el) return;
    const ro = new ResizeObserver(() => setPanel({ width: el.clientWidth - 20, height: el.clientHeight - 20 }));
    ro.observe(el);
    return () => ro.disconnect();
  }, [layout !== undefined]);
  // Keep the current state in view when the chart is larger than its panel.
  useEffect(() => {
    box.current?.querySelector('g.state.active')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  });
  useEffect(() => {
    if (!graph) return;
    let live = true;
    layoutStatechart(kind, graph).then(
      (l) => live && setLayout(l),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [kind, graph]);
  if (!machine || !graph) return <p class="muted">No machine definition for kind “{kind}”.</p>;
  if (error) return <p class="error">Layout failed: {error}</p>;
  if (!layout) return <p class="muted">Laying out…</p>;
  const active = value === undefined ? new Set<string>() : activeStateIds(graph.root, value);
  const left = taken ? activeStateIds(graph.root, taken.from) : new Set<string>();
  const entered = taken ? activeStateIds(graph.root, taken.to) : new Set<string>();
  const isTaken = (e: { source: string; target: string; events: string[] }) =>
    taken !== undefined && left.has(e.source) && entered.has(e.target) && (taken.event === undefined || e.events.includes(taken.event));
  const scale = Math.max(minScale, Math.min(1, panel.width / layout.width, panel.height / layout.height));
  // Draw compound states before their children, and taken edges last (on top).
  const edges = [...graph.edges].sort((a, b) => Number(isTaken(a)) - Number(isTaken(b)));
  return (
    <div ref={box} class="chart-box">
      <svg
        class="statechart"
        width={Math.round(layout.width * scale)}
        height={Math.round(layout.height * scale)}
        data-scale={scale.toFixed(2)}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="img"
        aria-label={`statechart of ${kind}`}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#6b7280" />
          </marker>
          <marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#d9480f" />
          </marker>
        </defs>
        {graph.nodes.map((n) => {
          const b = layout.nodes.get(n.id);
          if (!b) return null;
          const compound = n.children.length > 0;
          const cls = [
            'state',
            compound ? 'compound' : '',
            n.type === 'final' ? 'final' : '',
            active.has(n.id) ? 'active' : '',
            taken && left.has(n.id) && !active.has(n.id) ? 'left' : '',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <g class={cls} data-state={n.key} data-id={n.id} key={n.id}>
              <rect x={b.x} y={b.y} width={b.width} height={b.height} rx={8} />
              {n.type === 'final' && <rect class="final-inner" x={b.x + 3} y={b.y + 3} width={b.width - 6} height={b.height - 6} rx={6} />}
              <text x={b.x + (compound ? 10 : b.width / 2)} y={b.y + (compound ? 18 : b.height / 2 + 4)} text-anchor={compound ? 'start' : 'middle'}>
                {n.key}
              </text>
              {n.initial && (
                <g class="initial">
                  <circle cx={b.x - 10} cy={b.y + b.height / 2} r={4} />
                  <path d={`M${b.x - 6},${b.y + b.height / 2} L${b.x - 1},${b.y + b.height / 2}`} marker-end="url(#arrow)" />
                </g>
              )}
            </g>
          );
        })}
        {edges.map((e) => {
          const l = layout.edges.get(e.id);
          if (!l || l.points.length < 2) return null;
          const t = isTaken(e);
          const label = l.label;
          return (
            <g class={`edge${t ? ' taken' : ''}`} data-events={e.events.join(' ')} data-source={e.source} data-target={e.target} key={e.id}>
              <title>{`${e.events.join(', ')}${e.guards.length ? ` [${e.guards.join(' | ')}]` : ''}: ${e.source} → ${e.target}`}</title>
              <path d={path(l.points)} marker-end={t ? 'url(#arrow-taken)' : 'url(#arrow)'} />
              {label && (
                <g class="edge-label">
                  <rect x={label.x} y={label.y} width={label.width} height={label.height} rx={3} />
                  <text x={label.x + label.width / 2} y={label.y + 2} text-anchor="middle">
                    {e.events.map((ev, i) => (
                      <tspan
                        key={ev}
                        x={label.x + label.width / 2}
                        dy={i === 0 ? labelLineHeight - 2 : labelLineHeight}
                        class={t && ev === taken?.event ? 'taken-event' : ''}
                      >
                        {ev}
                      </tspan>
                    ))}
                  </text>
                </g>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
