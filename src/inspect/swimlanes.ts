/** @module swimlanes: turns a window of inspection records into one lane per actor with its inputs, messages and transitions as marks. */
import { taskAddress } from '../../machines/address.js';
import type { InspectionRecord } from '../kernel/InspectionRecord.js';
import type { Input } from '../kernel/inputs.js';
import type { LaneMark, Swimlanes } from './inspectorApi.js';

export interface SwimlaneOptions {
  /** This actor's lane comes first. */
  focus?: string;
  /** Only the focus actor and the actors it exchanged messages with. */
  only?: boolean;
  /** @default 40 */
  maxLanes?: number;
  /** @default 4000 */
  maxMarks?: number;
}

/** The actors an input names directly (its task, its agent, the tasks it posts). */
export function inputTargets(input: Input | Record<string, unknown>): string[] {
  const i = input as Record<string, unknown>;
  const out: string[] = [];
  for (const [key, value] of Object.entries(i)) {
    // `taskId`, `agentId` and any other kind's `<kind>Id` name an actor of that kind.
    if (typeof value === 'string' && key.endsWith('Id') && key.length > 2 && key !== 'timerId') out.push(`${key.slice(0, -2)}:${value}`);
  }
  const agent = i.agent as { id?: unknown } | undefined;
  if (agent && typeof agent.id === 'string') out.push(`agent:${agent.id}`);
  if (Array.isArray(i.tasks))
    for (const t of i.tasks.slice(0, 5)) if (t && typeof (t as { id?: unknown }).id === 'string') out.push(taskAddress((t as { id: string }).id));
  return out;
}

const kindOf = (address: string) => (address.includes(':') ? address.slice(0, address.indexOf(':')) : address);

function summarize(input: Input): string {
  const i = input as Record<string, unknown>;
  if (Array.isArray(i.tasks)) return `${input.type} (${i.tasks.length})`;
  return input.type;
}

/**
 * Lanes for the records of `from < seq <= to` (as `replay.timeline(from, to)` returns them).
 * @example swimlanes(await replay.timeline(0, 50), 0, 50, { focus: 'task:t1' }).lanes[0].address // 'task:t1'
 */
export function swimlanes(records: InspectionRecord[], from: number, to: number, options: SwimlaneOptions = {}): Swimlanes {
  const maxLanes = options.maxLanes ?? 40;
  const maxMarks = options.maxMarks ?? 4000;
  const focus = options.focus;
  const perSeq = new Map<number, number>();
  for (const r of records) perSeq.set(r.seq, (perSeq.get(r.seq) ?? 0) + 1);
  const indexInSeq = new Map<number, number>();
  const lanes = new Map<string, LaneMark[]>();
  const peersOfFocus = new Set<string>(focus ? [focus] : []);
  const inputs: Swimlanes['inputs'] = [];
  let marks = 0;
  let hiddenMarks = 0;
  const add = (address: string, mark: LaneMark) => {
    if (marks >= maxMarks) {
      hiddenMarks++;
      return;
    }
    let lane = lanes.get(address);
    if (!lane) {
      if (lanes.size >= maxLanes * 4 && address !== focus) {
        hiddenMarks++;
        return;
      }
      lanes.set(address, (lane = []));
    }
    lane.push(mark);
    marks++;
  };
  // Inputs are placed on the lanes of the actors they reached, known once their records are seen.
  let pendingInput: { seq: number; at: number; input: Input; x: number; reached: Set<string> } | undefined;
  const flushInput = () => {
    if (!pendingInput) return;
    const p = pendingInput;
    const targets = new Set([...inputTargets(p.input)].filter((a) => p.reached.has(a) || lanes.has(a)));
    if (targets.size === 0) for (const a of [...p.reached].slice(0, 3)) targets.add(a);
    if (targets.size === 0) targets.add('coordinator');
    for (const a of targets) add(a, { seq: p.seq, x: p.x, at: p.at, type: 'input', label: summarize(p.input) });
    pendingInput = undefined;
  };
  for (const r of records) {
    const i = indexInSeq.get(r.seq) ?? 0;
    indexInSeq.set(r.seq, i + 1);
    const x = r.seq - 1 + (i + 1) / ((perSeq.get(r.seq) ?? 1) + 1);
    const base = { seq: r.seq, x, at: r.at };
    switch (r.kind) {
      case 'input.applied':
        flushInput();
        inputs.push({ seq: r.seq, at: r.at, type: r.input.type });
        pendingInput = { seq: r.seq, at: r.at, input: r.input, x, reached: new Set() };
        break;
      case 'actor.created':
      case 'actor.restored':
        pendingInput?.reached.add(r.address);
        add(r.address, { ...base, type: 'created', label: `${r.kind === 'actor.created' ? 'created' : 'restored'} in ${r.state}` });
        break;
      case 'actor.passivated':
      case 'actor.stopped':
        add(r.address, { ...base, type: 'gone', label: `${r.kind.slice(6)} in ${r.state}` });
        break;
      case 'transition':
        pendingInput?.reached.add(r.address);
        add(r.address, { ...base, type: 'transition', label: `${r.from} → ${r.to} on ${r.event.type}`, from: r.from, to: r.to, event: r.event.type });
        break;
      case 'message':
        pendingInput?.reached.add(r.to);
        if (r.from === focus) peersOfFocus.add(r.to);
        if (r.to === focus) peersOfFocus.add(r.from);
        add(r.to, { ...base, type: 'message', label: r.event.type, peer: r.from, direction: 'in' });
        if (r.from !== r.to && (r.from.includes(':') || r.from === 'coordinator'))
          add(r.from, { ...base, type: 'message', label: r.event.type, peer: r.to, direction: 'out' });
        break;
      case 'effect.dispatched':
      case 'effect.settled':
        add(`task:${r.taskId}`, {
          ...base,
          type: 'effect',
          label: r.kind === 'effect.dispatched' ? `${r.effect} dispatched (attempt ${r.attempt})` : `${r.effect} ${r.outcome}`,
        });
        break;
      default:
        break;
    }
  }
  flushInput();
  let addresses = [...lanes.keys()];
  if (options.only && focus) addresses = addresses.filter((a) => peersOfFocus.has(a));
  if (focus) addresses.sort((a, b) => Number(b === focus) - Number(a === focus));
  if (focus && !lanes.has(focus)) addresses.unshift(focus);
  const shown = addresses.slice(0, maxLanes);
  return {
    from,
    to,
    inputs,
    lanes: shown.map((address) => ({ address, kind: kindOf(address), marks: lanes.get(address) ?? [] })),
    hiddenLanes: addresses.length - shown.length,
    hiddenMarks,
  };
}
