/**
 * @module Inspection: the kernel's inspection stream (actors created, restored, passivated; inputs
 * applied; messages; transitions; effects; checkpoints). Costs nothing while nobody listens.
 */
import type { Logger } from 'pino';
import type { Address, KindName } from '../../machines/address.js';
import type { InspectionRecord, MachineName } from './InspectionRecord.js';
import type { KernelEvent } from './Envelope.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type InspectionBody = DistributiveOmit<InspectionRecord, 'seq' | 'at' | 'replaying'>;

export class Inspection {
  private readonly listeners = new Set<(r: InspectionRecord) => void>();
  /** True while the host restores or replays (records say so); set by the host, read by nobody else. */
  replaying = false;
  logger: Logger | undefined;

  get active(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(fn: (r: InspectionRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  record(at: { seq: number; at: number }, body: InspectionBody): void {
    const full = { ...body, seq: at.seq, at: at.at, replaying: this.replaying } as InspectionRecord;
    for (const fn of this.listeners) {
      try {
        fn(full);
      } catch (err) {
        this.logger?.warn({ err }, 'an inspector threw');
      }
    }
  }

  created(at: { seq: number; at: number }, address: Address, parent: Address, kind: KindName, state: string, restored: boolean): void {
    this.record(at, { kind: restored ? 'actor.restored' : 'actor.created', address, parent, machine: kind as MachineName, state });
  }

  transition(at: { seq: number; at: number }, address: Address, from: string, to: string, event: KernelEvent): void {
    this.record(at, { kind: 'transition', address, from, to, event });
    if (to === 'stopped' && address.startsWith('agent:')) this.record(at, { kind: 'actor.stopped', address, state: to });
  }
}
