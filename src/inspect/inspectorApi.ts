/**
 * @module inspectorApi: the shapes the inspector's HTTP API answers with, shared by the server and
 * the page (so this module imports nothing: the page is type-checked for the browser).
 */

/** A journal input as the page sees it: its type and its fields. */
export type WireInput = { type: string; [field: string]: unknown };

/** One row of the page's actor list. */
export interface DirectoryEntry {
  address: string;
  kind: string;
  status: string;
  parent: string;
  /** Nesting depth in the tree (0: a root). */
  depth: number;
  /** How many actors have this one as their parent. */
  children: number;
  /** In a final state (completed, stopped, ...): listed after the active ones. */
  finished: boolean;
}

/** Counts of actors per kind and, within each kind, per status. */
export interface DirectoryCounts {
  total: number;
  kinds: Record<string, { total: number; byStatus: Record<string, number> }>;
}

/** `GET /api/actors`: one page of the actors that match, in tree order. */
export interface DirectoryPage {
  seq: number;
  /** How many actors match the query (not just this page). */
  total: number;
  offset: number;
  items: DirectoryEntry[];
  /** With `focus=<address>`: that actor's index in the whole list (-1: not in it). */
  focusIndex?: number;
}

export interface AgentSummary {
  id: string;
  status: string;
  load: number;
  succeeded: number;
  failed: number;
  /** succeeded / (succeeded + failed); null before the first outcome. */
  successRate: number | null;
}

/** `GET /api/summary`: the overview of one point. */
export interface Summary {
  seq: number;
  lastSeq: number;
  /** Time of the input at `seq` (0 before the first). */
  at: number;
  counts: DirectoryCounts;
  /** The first agents in tree order. */
  agents: AgentSummary[];
  /** The oldest pending tasks, and how many are pending. */
  queue: { head: string[]; length: number };
}

/** `GET /api/actor`: one actor at one point (null when it does not exist there). */
export interface ActorView {
  address: string;
  kind: string;
  status: string;
  parent: string;
  snapshot: { value?: unknown; context?: Record<string, unknown> };
}

/** An actor's state on one side of a change: its state value and the context fields that changed. */
export interface HistorySide {
  value: unknown;
  status?: string;
  context?: Record<string, unknown>;
}

/** What made an input reach the actor. */
export interface HistoryCause {
  kind: 'api' | 'outcome' | 'timer' | 'message' | 'input';
  /** The input's type (`task.post`, `attempt.failed`, `timer.fired`, ...). */
  input: string;
  /** For a message: the actor that sent it. */
  from?: string;
  /** The event the actor's machine took, when known. */
  event?: string;
}

export interface HistoryEntry {
  seq: number;
  at: number;
  input: WireInput;
  /** null: the actor did not exist before this input. */
  before: HistorySide | null;
  /** null: the actor is gone after it (pruned). */
  after: HistorySide | null;
  cause: HistoryCause | Record<string, unknown> | string;
}

/** `GET /api/history`: the inputs in `from < seq <= to` that changed one actor. */
export interface ActorHistory {
  address: string;
  from: number;
  to: number;
  /** Where the entries came from: the replay's actor index, or stepping through the inputs. */
  source: 'index' | 'replay';
  entries: HistoryEntry[];
}

/** One mark on a lane. `x` is the input's seq plus a fraction for the mark's place within that input. */
export interface LaneMark {
  seq: number;
  x: number;
  at: number;
  type: 'input' | 'message' | 'transition' | 'created' | 'effect' | 'gone';
  label: string;
  /** For a message: the other actor. */
  peer?: string;
  /** For a message: 'in' on the receiver's lane, 'out' on the sender's. */
  direction?: 'in' | 'out';
  /** For a transition: the states left and entered and the event taken. */
  from?: string;
  to?: string;
  event?: string;
}

export interface Lane {
  address: string;
  kind: string;
  marks: LaneMark[];
}

/** `GET /api/lanes`: the swimlanes of the inputs `from < seq <= to`. */
export interface Swimlanes {
  from: number;
  to: number;
  /** Each input in the window with its time, for the time axis. */
  inputs: Array<{ seq: number; at: number; type: string }>;
  lanes: Lane[];
  /** Lanes left out (beyond the most shown). */
  hiddenLanes: number;
  /** Marks left out (beyond the most kept). */
  hiddenMarks: number;
}

/** How one actor differs between two points. */
export interface Change {
  address: string;
  change: 'added' | 'removed' | 'changed';
  from?: string;
  to?: string;
  fields: string[];
}

/** `GET /api/changes`: a page of the actors that differ between two points. */
export interface ChangesPage {
  from: number;
  to: number;
  total: number;
  counts: { added: number; removed: number; changed: number };
  offset: number;
  items: Change[];
}

/** `GET /api/info`. */
export interface Info {
  origin: string;
  firstSeq: number;
  lastSeq: number;
  live: boolean;
  kinds: string[];
  /** `machine.toJSON()` of each kind's machine. */
  machines: Record<string, MachineJson>;
}

/** The parts of XState's `machine.toJSON()` the page reads. */
export interface MachineJson {
  id: string;
  key: string;
  type: string;
  initial?: { target?: string[] } | string;
  states?: Record<string, MachineJson>;
  transitions?: Array<{ eventType: string | null; target?: string[]; guard?: unknown; source?: string }>;
  on?: Record<string, Array<{ eventType?: string | null; target?: string[]; guard?: unknown }>>;
}

/** One coordination decision from the hive's audit log (see `hive.audit()`). */
export interface AuditEntry {
  at: number;
  seq: number;
  index: number;
  type: string;
  actor: string;
  action: string;
  target: string;
  details: { reason: string; [field: string]: unknown };
  outcome: string;
}

/** `GET /api/audit`: the decisions about one actor (or made by it) up to a point, oldest first. */
export interface AuditTrail {
  address: string;
  seq: number;
  /** False for a source that keeps no audit log (a recording older than version 3). */
  available: boolean;
  records: AuditEntry[];
}
