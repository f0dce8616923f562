/** @module agentKind: agents as actors: the agent machine, and the pool of free agents that follows it. */
import { agentAddress, coordinatorAddress } from '../../../machines/address.js';
import { agentMachine, type AgentContext, type AgentEmitted, type AgentEvent } from '../../../machines/agent.js';
import type { ActorKind } from '../ActorKind.js';
import { statusOf } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const agentKind: ActorKind<AgentContext> = {
  name: 'agent',
  stepper: new MachineStepper<AgentContext, AgentEvent, AgentEmitted>(agentMachine) as ActorKind<AgentContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<AgentContext>,
  order: (c) => c.order,
  isFinished: () => false,
  parentOf: (c) => (c.parentId ? agentAddress(c.parentId) : coordinatorAddress),
  onAdded: (core, id, snap) => core.agents.update(id, statusOf(snap), snap.context),
  afterMessage: (core, id, snap) => {
    core.agents.update(id, statusOf(snap), snap.context);
    core.scheduleNeeded = true;
  },
};
