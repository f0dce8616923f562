/**
 * @module EffectRouter: the hive's EffectRunner. Attempts of remote agents go to the NATS transport
 * (when the hive has the `nats` option), everything else to the in-process Executor; verifications
 * go remote only when no in-process verifier exists for the task type and a worker offers one.
 */
import type { Logger } from 'pino';
import type { Executor } from '../effects/Executor.js';
import type { EffectRunner } from '../kernel/Kernel.js';

/** What a remote transport offers the router (RemoteHub implements it). */
export interface RemoteEffects {
  /** Whether the agent runs on a remote worker. */
  owns(agentId: string): boolean;
  execute(req: { taskId: string; attempt: number; agentId: string }): void;
  /** True when the transport took the verification. */
  verify(req: { taskId: string; attempt: number }): boolean;
  /** True when the attempt was a remote one (its worker is told). */
  abort(req: { taskId: string; attempt: number; reason: string }): boolean;
}

export class EffectRouter implements EffectRunner {
  /** Set once the hive's NATS link is open (after recovery, before work in flight resumes). */
  remote: RemoteEffects | undefined;
  private readonly warned = new Set<string>();

  constructor(
    private readonly local: Executor,
    private readonly isRemoteAgent: (agentId: string) => boolean,
    private readonly logger: Logger,
  ) {}

  execute(req: { taskId: string; attempt: number; agentId: string }): void {
    if (this.remote?.owns(req.agentId)) this.remote.execute(req);
    else if (this.isRemoteAgent(req.agentId)) this.warnNoRemote(req.agentId);
    else this.local.execute(req);
  }

  verify(req: { taskId: string; attempt: number }): void {
    if (!this.remote?.verify(req)) this.local.verify(req);
  }

  abort(req: { taskId: string; attempt: number; reason: string }): void {
    if (!this.remote?.abort(req)) this.local.abort(req);
  }

  /** A remote attempt is kept across a restart of the hive: its worker may still run it (it is published again; the server drops the duplicate). */
  resume(req: { taskId: string; attempt: number; agentId: string }): boolean {
    if (!this.remote?.owns(req.agentId)) return false;
    this.remote.execute(req);
    return true;
  }

  private warnNoRemote(agentId: string): void {
    if (this.warned.has(agentId)) return;
    this.warned.add(agentId);
    this.logger.warn({ agent: agentId }, 'agent runs on a remote worker but this hive was opened without the nats option; its attempts wait');
  }
}
