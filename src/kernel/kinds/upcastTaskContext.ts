/** @module upcastTaskContext: reads task contexts stored by hivestate 0.1 (one flat object) as today's shape. */
import type { TaskContext, TaskSpec } from '../../../machines/task.js';

const specKeys = [
  'id',
  'type',
  'input',
  'priority',
  'dependsOn',
  'deadline',
  'timeoutMs',
  'maxRetries',
  'backoffMs',
  'verify',
  'owner',
  'idempotencyKey',
  'parentTaskId',
  'ancestors',
  'notify',
  'order',
  'createdAt',
] as const;

/**
 * Today's context unchanged; a 0.1 flat context split into `spec` (what was posted) and the rest.
 * @example upcastTaskContext(stored.context).spec.type
 */
export function upcastTaskContext(context: unknown): TaskContext {
  const c = context as Record<string, unknown>;
  if (c.spec !== undefined) return context as TaskContext;
  const spec: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if ((specKeys as readonly string[]).includes(k)) {
      if (v !== undefined) spec[k] = v;
    } else rest[k] = v;
  }
  return { ...rest, spec: spec as unknown as TaskSpec } as TaskContext;
}
