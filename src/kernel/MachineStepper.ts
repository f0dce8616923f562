/**
 * @module MachineStepper: steps an XState machine as a pure function, (snapshot, event) -> (next
 * snapshot, emitted events), with XState's own transition logic and no `Actor` object per actor.
 * Emitted events come back as data; nothing is performed.
 */
import { createActor, type AnyStateMachine, type StateValue } from 'xstate';

/** What the kernel keeps of an actor: XState's snapshot (hosted) or its persisted form. */
export interface Snap<C> {
  value: StateValue;
  context: C;
  /** 'active' while the machine runs; 'done' in a final state. */
  status?: string;
}

/** An actor as the store keeps it: its state value and context. */
export interface PersistedSnap<C> {
  value: StateValue;
  context: C;
}

/**
 * One per machine; not re-entrant (the kernel applies one event at a time).
 * @example const s = new MachineStepper(taskMachine); const [snap, emitted] = s.initial(input)
 */
export class MachineStepper<C, E extends { type: string }, Em extends { type: string }> {
  private readonly scope: Parameters<AnyStateMachine['transition']>[2];
  private emitted: Em[] = [];

  constructor(readonly machine: AnyStateMachine) {
    // XState's own pure `transition()` builds the same inert scope, once per call; we keep one.
    const self = createActor(machine);
    this.scope = {
      self,
      id: '',
      sessionId: '',
      system: self.system,
      logger: () => undefined,
      defer: () => undefined,
      emit: () => undefined,
      stopChild: () => undefined,
      actionExecutor: (action: { type: string; params?: unknown }) => {
        if (action.type === 'xstate.emit') this.emitted.push((action.params as { event: Em }).event);
      },
    } as unknown as Parameters<AnyStateMachine['transition']>[2];
  }

  /** The initial snapshot for `input`, with what entering it emitted. */
  initial(input: unknown): [Snap<C>, Em[]] {
    this.emitted = [];
    const snap = this.machine.getInitialSnapshot(this.scope, input) as unknown as Snap<C>;
    return [snap, this.emitted];
  }

  /** The next snapshot after `event`, with what the transition emitted. */
  step(snapshot: Snap<C>, event: E): [Snap<C>, Em[]] {
    this.emitted = [];
    const next = this.machine.transition(snapshot as never, event, this.scope) as unknown as Snap<C>;
    return [next, this.emitted];
  }

  /** A steppable snapshot from a persisted one (final states come back as 'done'). */
  restore(persisted: PersistedSnap<C>): Snap<C> {
    return this.machine.resolveState({ value: persisted.value, context: persisted.context as never }) as unknown as Snap<C>;
  }
}

/** The persisted form of a snapshot: no XState internals, only what restoring needs. */
export function persist<C>(snap: Snap<C>): PersistedSnap<C> {
  return { value: snap.value, context: snap.context };
}
