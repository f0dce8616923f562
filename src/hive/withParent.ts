/** @module withParent: the spec a handler's `ctx.spawnAgent` / `ctx.postTask` passes on, with its parent filled in. */
import { ValidationError } from '../errors.js';
import { preview, readSafely } from '../validate.js';

/**
 * A handler's spec with its parent filled in; naming another parent is refused (a handler spawns
 * under its own agent and posts under its own task).
 * @example withParent('postTask', { type: 'lint' }, 'parentTaskId', 'build-1')
 */
export function withParent<S extends object>(field: string, spec: S, key: 'parentId' | 'parentTaskId', parent: string): S {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new ValidationError(field, `needs a spec object; got ${preview(spec)}`);
  const copy = readSafely(field, () => ({ ...spec })) as S & Record<string, unknown>;
  if (copy[key] !== undefined && copy[key] !== parent)
    throw new ValidationError(key, `is set by ctx.${field} to ${JSON.stringify(parent)}; got ${preview(copy[key])}`);
  return { ...copy, [key]: parent };
}
