/** @module verifyRun: replays a recorded run from the start and checks it against what the run recorded; names the first divergence. */
import { messageAddress, taskAddress } from '../../machines/address.js';
import { DeterminismViolationError, FormatError } from '../errors.js';
import type { Kernel, KernelMachines } from '../kernel/Kernel.js';
import type { JournalRecord } from '../kernel/inputs.js';
import { MemoryStore } from './MemoryStore.js';
import type { ReplaySource } from './ReplaySource.js';
import { replayKernel } from './replayKernel.js';

export interface VerifyReport {
  /** The stored checkpoint the replay was compared with (0: the run has none, nothing to compare). */
  checkpointSeq: number;
  inputs: number;
  actors: number;
}

/**
 * Three checks, stopping at the first failure:
 * 1. every recorded outcome (attempt or verification result, message acknowledgement) answers an effect the replay itself
 *    dispatched (Temporal's command matching);
 * 2. with `machines` overrides (unless `lockstep: false`), the replay runs in lockstep with the built-in machines and every
 *    actor an input touches must end that input in the same state;
 * 3. at the stored checkpoint, every stored actor equals the replayed one.
 * @example await verifyRun(openDataDir('./.hivestate'), { seekEvery: 5000 })
 */
export async function verifyRun(source: ReplaySource, o: { machines?: Partial<KernelMachines>; seekEvery: number; lockstep?: boolean }): Promise<VerifyReport> {
  const cp = source.checkpoint();
  if (!cp) return { checkpointSeq: 0, inputs: 0, actors: 0 };
  if (source.firstSeq() > 1)
    throw new FormatError(`${source.origin}: the journal starts at input ${source.firstSeq()} (compacted); verify needs it from input 1`);
  const candidateStore = new MemoryStore(source);
  const candidate = replayKernel(candidateStore, o.machines);
  const baseline = o.machines && o.lockstep !== false ? replayKernel(new MemoryStore(source)) : undefined;

  const dispatched = new Set<string>();
  let touched = new Set<string>();
  const lastTouched = new Map<string, number>();
  candidate.inspect((r) => {
    if (r.kind === 'effect.dispatched') dispatched.add(`${r.effect}:${r.taskId}:${r.attempt}`);
    else if (r.kind === 'message.dispatched') dispatched.add(`deliver:${r.messageId}:${r.delivery}`);
    else if (r.kind === 'message') touched.add(r.to);
    else if (r.kind === 'actor.created') touched.add(r.address);
  });
  baseline?.inspect((r) => {
    if (r.kind === 'message') touched.add(r.to);
    else if (r.kind === 'actor.created') touched.add(r.address);
  });

  let inputs = 0;
  for (const rec of source.records(0, cp.seq)) {
    const expected = expectedEffect(rec);
    if (expected && !dispatched.has(expected.key)) {
      throw new DeterminismViolationError(
        rec.seq,
        expected.address,
        `the recorded run got ${rec.input.type} for ${expected.key.replace(/:/g, ' ')}, but the replay never dispatched that effect`,
      );
    }
    touched = new Set();
    candidate.replayRecord(rec);
    baseline?.replayRecord(rec);
    for (const address of touched) {
      lastTouched.set(address, rec.seq);
      if (baseline) compare(rec.seq, address, baseline, candidate, 'the built-in machines');
    }
    inputs++;
    if (inputs % o.seekEvery === 0) {
      // Checkpointing into memory passivates finished tasks, which keeps long replays bounded.
      await candidate.checkpoint();
      await baseline?.checkpoint();
    }
  }

  let actors = 0;
  for (const [address, stored] of source.storedActors()) {
    const replayed = candidate.actorSnapshot(address);
    const at = lastTouched.get(address) ?? cp.seq;
    if (!replayed)
      throw new DeterminismViolationError(
        at,
        address,
        `the stored checkpoint at input ${cp.seq} has this actor but the replay does not`,
        stored.status,
        undefined,
      );
    if (replayed.status !== stored.status || JSON.stringify(replayed.snapshot) !== JSON.stringify(stored.snapshot)) {
      throw new DeterminismViolationError(
        at,
        address,
        `stored ${stored.status}, replayed ${replayed.status} (input ${at} is the last that changed it in the replay)`,
        stored,
        replayed,
      );
    }
    actors++;
  }
  return { checkpointSeq: cp.seq, inputs, actors };
}

/** The effect a recorded outcome answers, if the input is an outcome. */
function expectedEffect(rec: JournalRecord): { key: string; address: string } | undefined {
  const i = rec.input;
  switch (i.type) {
    case 'attempt.progress':
    case 'attempt.checkpoint':
    case 'attempt.succeeded':
    case 'attempt.failed':
    case 'attempt.rejected':
    case 'attempt.lost':
    case 'attempt.waiting':
      return { key: `execute:${i.taskId}:${i.attempt}`, address: taskAddress(i.taskId) };
    case 'verify.passed':
    case 'verify.failed':
      return { key: `verify:${i.taskId}:${i.attempt}`, address: taskAddress(i.taskId) };
    case 'message.ack':
    case 'message.nack':
      return { key: `deliver:${i.messageId}:${i.delivery}`, address: messageAddress(i.messageId) };
    default:
      return undefined;
  }
}

function compare(seq: number, address: string, expected: Kernel, actual: Kernel, what: string): void {
  const e = expected.actorSnapshot(address);
  const a = actual.actorSnapshot(address);
  if (JSON.stringify(e) !== JSON.stringify(a)) {
    throw new DeterminismViolationError(seq, address, `${what} reach ${e?.status ?? 'nothing'}, the replayed machines ${a?.status ?? 'nothing'}`, e, a);
  }
}
