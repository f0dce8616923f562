/** @module SwimlaneView: one lane per actor over a window of inputs around the current point; inputs, messages and transitions as marks; zoomable; times on the axis. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LaneMark, Swimlanes } from '../inspectorApi.js';
import { api } from './api.js';
import { clock } from './format.js';
import { statusColor } from './statusColors.js';

/** Window widths, in inputs, that zooming steps through. */
export const zoomLevels = [10, 20, 50, 100, 200, 500, 1000, 2000];

interface Props {
  firstSeq: number;
  lastSeq: number;
  position: number;
  focus: string;
  onSeek(seq: number): void;
  onSelect(address: string): void;
  onData?(lanes: Swimlanes): void;
}

const laneH = 22;
const axisH = 34;
const labelW = 170;

/** The window of inputs shown: the current point near its right edge. */
export function laneWindow(firstSeq: number, lastSeq: number, position: number, width: number): { from: number; to: number } {
  let to = Math.min(lastSeq, position + Math.round(width * 0.2));
  let from = Math.max(firstSeq, to - width);
  to = Math.min(lastSeq, Math.max(to, from + width));
  from = Math.max(firstSeq, Math.min(from, position - 1));
  return { from, to };
}

function Mark({ m, x, y }: { m: LaneMark; x: number; y: number }) {
  const title = `#${m.seq} ${clock(m.at)}  ${m.label}${m.peer ? (m.direction === 'in' ? ` (from ${m.peer})` : ` (to ${m.peer})`) : ''}`;
  const common = { class: `mark mark-${m.type}`, 'data-seq': m.seq };
  switch (m.type) {
    case 'input':
      return (
        <path {...common} d={`M${x},${y - 6} L${x + 6},${y} L${x},${y + 6} L${x - 6},${y} z`}>
          <title>{title}</title>
        </path>
      );
    case 'transition':
      return (
        <circle {...common} cx={x} cy={y} r={5.5} fill={statusColor(m.to ?? '')}>
          <title>{title}</title>
        </circle>
      );
    case 'created':
      return (
        <rect {...common} x={x - 5} y={y - 5} width={10} height={10}>
          <title>{title}</title>
        </rect>
      );
    case 'message':
      return m.direction === 'in' ? (
        <path {...common} d={`M${x - 5},${y - 5} L${x + 5},${y - 5} L${x},${y + 4} z`}>
          <title>{title}</title>
        </path>
      ) : (
        <circle {...common} class="mark mark-message-out" cx={x} cy={y} r={3}>
          <title>{title}</title>
        </circle>
      );
    case 'effect':
      return (
        <rect {...common} x={x - 1.5} y={y - 7} width={3} height={14}>
          <title>{title}</title>
        </rect>
      );
    default:
      return (
        <path {...common} d={`M${x - 4},${y - 4} L${x + 4},${y + 4} M${x + 4},${y - 4} L${x - 4},${y + 4}`}>
          <title>{title}</title>
        </path>
      );
  }
}

export function SwimlaneView({ firstSeq, lastSeq, position, focus, onSeek, onSelect, onData }: Props) {
  const [zoom, setZoom] = useState(3);
  const [only, setOnly] = useState(false);
  const [data, setData] = useState<Swimlanes>();
  const [width, setWidth] = useState(800);
  const box = useRef<HTMLDivElement>(null);
  const { from, to } = laneWindow(firstSeq, lastSeq, position, zoomLevels[zoom]!);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api.lanes({ from, to, focus, only }).then(
        (d) => {
          if (!live) return;
          setData(d);
          onData?.(d);
        },
        () => undefined,
      );
    }, 60);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [from, to, focus, only]);

  const span = Math.max(1, to - from);
  const plotW = Math.max(100, width - labelW - 16);
  const xOf = (seqX: number) => labelW + ((seqX - from) / span) * plotW;
  const lanes = data?.lanes ?? [];
  const laneIndex = new Map(lanes.map((l, i) => [l.address, i]));
  const yOf = (i: number) => axisH + i * laneH + laneH / 2;
  const height = axisH + Math.max(1, lanes.length) * laneH + 8;
  const inputs = data?.inputs ?? [];
  const tickEvery = Math.max(1, Math.ceil(inputs.length / Math.max(2, Math.floor(plotW / 110))));
  const seekAt = (e: MouseEvent) => {
    const rect = (e.currentTarget as SVGElement).getBoundingClientRect();
    const x = e.clientX - rect.left;
    if (x < labelW) return;
    onSeek(Math.max(firstSeq, Math.min(lastSeq, Math.ceil(from + ((x - labelW) / plotW) * span))));
  };
  const onWheel = (e: WheelEvent) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    setZoom((z) => Math.max(0, Math.min(zoomLevels.length - 1, z + (e.deltaY > 0 ? 1 : -1))));
  };

  return (
    <div class="swimlanes" id="swimlanes">
      <div class="lane-toolbar">
        <b>Timeline</b>
        <span class="muted">
          inputs {from + 1}–{to} {inputs[0] ? `· ${clock(inputs[0].at)} – ${clock(inputs[inputs.length - 1]!.at)}` : ''}
        </span>
        <span class="spacer" />
        <label class="small">
          <input type="checkbox" id="lanes-only" checked={only} onChange={(e) => setOnly((e.target as HTMLInputElement).checked)} /> only {focus} and its peers
        </label>
        <button type="button" id="zoom-in" title="Zoom in (+)" disabled={zoom === 0} onClick={() => setZoom(zoom - 1)}>
          +
        </button>
        <button type="button" id="zoom-out" title="Zoom out (−)" disabled={zoom === zoomLevels.length - 1} onClick={() => setZoom(zoom + 1)}>
          −
        </button>
        <span class="small muted" id="zoom-level">
          {zoomLevels[zoom]} inputs
        </span>
      </div>
      <div class="lane-box" ref={box} onWheel={onWheel}>
        {/* biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard moves through time with the page-wide arrow keys and step buttons */}
        <svg width={width} height={height} onClick={seekAt} data-from={from} data-to={to}>
          <title>Swimlanes: one lane per actor; click a time to move there</title>
          {inputs.map((inp, i) =>
            i % tickEvery === 0 ? (
              <g class="tick" key={inp.seq}>
                <line x1={xOf(inp.seq)} x2={xOf(inp.seq)} y1={axisH - 6} y2={height} />
                <text x={xOf(inp.seq) + 3} y={12}>
                  #{inp.seq}
                </text>
                <text x={xOf(inp.seq) + 3} y={25} class="time">
                  {clock(inp.at)}
                </text>
              </g>
            ) : null,
          )}
          {lanes.map((lane, i) => (
            <g class={`lane${lane.address === focus ? ' focus' : ''}`} data-address={lane.address} key={lane.address}>
              <rect class="lane-bg" x={0} y={axisH + i * laneH} width={width} height={laneH} />
              {/* biome-ignore lint/a11y/noStaticElementInteractions: a shortcut; the same actor is a focusable row of the actor list */}
              <text
                class="lane-label"
                x={6}
                y={yOf(i) + 4}
                onClick={(e) => {
                  e.stopPropagation();
                  onSelect(lane.address);
                }}
              >
                {lane.address.length > 24 ? `${lane.address.slice(0, 23)}…` : lane.address}
              </text>
            </g>
          ))}
          {lanes.flatMap((lane, i) =>
            lane.marks
              .filter((m) => m.type === 'message' && m.direction === 'in' && m.peer !== undefined && laneIndex.has(m.peer))
              .map((m) => (
                <line class="msg-link" key={`l${lane.address}${m.x}`} x1={xOf(m.x)} x2={xOf(m.x)} y1={yOf(laneIndex.get(m.peer!)!)} y2={yOf(i) - 5} />
              )),
          )}
          {lanes.flatMap((lane, i) => lane.marks.map((m, j) => <Mark key={`${lane.address}${j}`} m={m} x={xOf(m.x)} y={yOf(i)} />))}
          <line class="now" x1={xOf(position)} x2={xOf(position)} y1={axisH - 8} y2={height} />
        </svg>
        {data && (data.hiddenLanes > 0 || data.hiddenMarks > 0) && (
          <div class="small muted">
            {data.hiddenLanes > 0 ? `${data.hiddenLanes} more lanes not shown` : ''} {data.hiddenMarks > 0 ? `${data.hiddenMarks} marks left out` : ''} (zoom in
            to see them)
          </div>
        )}
      </div>
    </div>
  );
}
