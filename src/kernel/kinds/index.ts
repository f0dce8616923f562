/** @module The registry of actor kinds: the only list of kinds the kernel has. */
import type { KindName } from '../../../machines/address.js';
import type { ActorKind } from '../ActorKind.js';
import { agentKind } from './agentKind.js';
import { colonyKind } from './colonyKind.js';
import { auctionKind } from './auctionKind.js';
import { learnerKind } from './learnerKind.js';
import { insightsKind } from './insightsKind.js';
import { coordinatorKind } from './coordinatorKind.js';
import { rateLimitKind } from './rateLimitKind.js';
import { scheduleKind } from './scheduleKind.js';
import { taskKind } from './taskKind.js';
import { workerKind } from './workerKind.js';
import { remoteWorkerKind } from './remoteWorkerKind.js';
import { messageKind } from './messageKind.js';
import { sessionKind } from './sessionKind.js';

export const kinds: Record<KindName, ActorKind> = {
  task: taskKind as ActorKind,
  agent: agentKind as ActorKind,
  coordinator: coordinatorKind as ActorKind,
  colony: colonyKind as ActorKind,
  worker: workerKind as ActorKind,
  schedule: scheduleKind as ActorKind,
  ratelimit: rateLimitKind as ActorKind,
  remote: remoteWorkerKind as ActorKind,
  auction: auctionKind as ActorKind,
  learner: learnerKind as ActorKind,
  message: messageKind as ActorKind,
  session: sessionKind as ActorKind,
  insights: insightsKind as ActorKind,
};
