/** @module auctionKind: auctions as actors (`auction:<taskId>`), children of their task in the tree. */
import { taskAddress } from '../../../machines/address.js';
import { auctionMachine, type AuctionContext, type AuctionEmitted, type AuctionEvent } from '../../../machines/auction.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const auctionKind: ActorKind<AuctionContext> = {
  name: 'auction',
  stepper: new MachineStepper<AuctionContext, AuctionEvent, AuctionEmitted>(auctionMachine) as ActorKind<AuctionContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<AuctionContext>,
  order: (c) => c.order,
  // Live until its task finishes (see machines/auction.ts); then stored for the routing history.
  isFinished: (status) => status === 'done',
  parentOf: (c) => taskAddress(c.taskId),
};
