/** @module Actor addresses: one typed value per actor (`task:<id>`, `agent:<id>`, `colony:<id>`, `worker:<colony>/<id>`, `remote:<agent id>`, `auction:<task id>`, `message:<id>`, `coordinator`, `learner`, `session`, `insights`), formed and parsed in one place. */

/** The kinds of actor the kernel hosts. A new kind adds its name here and a module in src/kernel/kinds. */
export type KindName =
  | 'task'
  | 'agent'
  | 'coordinator'
  | 'colony'
  | 'worker'
  | 'schedule'
  | 'ratelimit'
  | 'remote'
  | 'auction'
  | 'learner'
  | 'message'
  | 'session'
  | 'insights';

/** An actor's address: `<kind>:<id>`, or the bare kind name for a singleton such as `coordinator`. */
export type Address = string & { readonly __brand: 'Address' };

const singletons = new Set<string>(['coordinator', 'learner', 'session', 'insights']);
const kindsWithIds = new Set<string>(['task', 'agent', 'colony', 'worker', 'schedule', 'ratelimit', 'remote', 'auction', 'message']);

/**
 * Forms an address.
 * @example address('task', 'build-1') // 'task:build-1'
 */
export function address(kind: KindName, id = ''): Address {
  return (singletons.has(kind) ? kind : `${kind}:${id}`) as Address;
}

/**
 * Splits an address into its kind and id; undefined when the text is not an address.
 * @example parseAddress('agent:a1') // { kind: 'agent', id: 'a1' }
 */
export function parseAddress(text: string): { kind: KindName; id: string } | undefined {
  if (singletons.has(text)) return { kind: text as KindName, id: '' };
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const kind = text.slice(0, colon);
  if (!kindsWithIds.has(kind)) return undefined;
  return { kind: kind as KindName, id: text.slice(colon + 1) };
}

/**
 * The id part of an address ('' for the coordinator).
 * @example addressId('task:build-1') // 'build-1'
 */
export function addressId(text: string): string {
  return text.slice(text.indexOf(':') + 1);
}

export const taskAddress = (id: string): Address => `task:${id}` as Address;
export const agentAddress = (id: string): Address => `agent:${id}` as Address;
export const auctionAddress = (taskId: string): Address => `auction:${taskId}` as Address;
export const learnerAddress = 'learner' as Address;
export const insightsAddress = 'insights' as Address;
export const coordinatorAddress = 'coordinator' as Address;
/** The session (phases, queue limit): one per hive, created by the first task posted with a phase or the first `queueLimit`. */
export const sessionAddress = 'session' as Address;
export const colonyAddress = (id: string): Address => `colony:${id}` as Address;
/** A worker's id in its kind's table and its address: `<colony>/<worker>` (colony ids never contain `/`). */
export const workerKey = (colonyId: string, workerId: string): string => `${colonyId}/${workerId}`;
export const workerAddress = (colonyId: string, workerId: string): Address => `worker:${colonyId}/${workerId}` as Address;
export const remoteAddress = (agentId: string): Address => `remote:${agentId}` as Address;
export const messageAddress = (id: string): Address => `message:${id}` as Address;
