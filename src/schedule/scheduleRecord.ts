/** @module scheduleRecord: validates `hive.schedule()` arguments into the schedule spec that is journaled. */
import type { ScheduleSpec, ScheduleTaskTemplate } from '../../machines/schedule.js';
import { ValidationError } from '../errors.js';
import { taskRecords, type TaskSpec } from '../specs.js';
import { checkId, checkInt, checkKeys, checkName, limits, preview } from '../validate.js';
import { cronFor } from './nextSlot.js';

/** What `hive.schedule()` takes. */
export interface ScheduleOptions {
  /** Stable id: scheduling the same id again updates it (or changes nothing when equal). */
  id: string;
  /** Post every this many ms, on multiples of it since the epoch (every: 60_000 = on each minute). */
  every?: number;
  /** Or a cron pattern, 5 fields (minute hour day month weekday) or 6 (with seconds first). */
  cron?: string;
  /** IANA time zone the cron pattern is read in. @default 'UTC' */
  timezone?: string;
  /** 'skip' (default): a slot is skipped while the previous task is unfinished; 'queue': posted anyway. */
  overlap?: 'skip' | 'queue';
  /** The task each slot posts; its id is `<schedule id>@<slot time, ISO>`. */
  task: Pick<TaskSpec, 'type' | 'input' | 'priority' | 'timeoutMs' | 'maxRetries' | 'backoffMs' | 'verify' | 'owner' | 'assign' | 'auction'>;
}

const scheduleKeys = ['id', 'every', 'cron', 'timezone', 'overlap', 'task'] as const;
const templateKeys = ['type', 'input', 'priority', 'timeoutMs', 'maxRetries', 'backoffMs', 'verify', 'owner', 'assign', 'auction'] as const;
/** Leaves room for `@` and a 24-character ISO time in the posted task's id. */
const maxScheduleIdLength = limits.idLength - 25;

/**
 * Checks a schedule's options; throws a ValidationError naming the bad field.
 * @example scheduleRecord({ id: 'nightly', cron: '0 3 * * *', task: { type: 'backup' } }).overlap // 'skip'
 */
export function scheduleRecord(options: unknown, assignmentFor?: (type: string) => 'direct' | 'auction' | undefined): ScheduleSpec {
  const o = checkKeys('schedule', options, scheduleKeys);
  const id = checkId('id', o.id);
  if (id.length > maxScheduleIdLength)
    throw new ValidationError('id', `a schedule id has at most ${maxScheduleIdLength} characters (its tasks are named <id>@<slot time>); got ${id.length}`);
  if ((o.every === undefined) === (o.cron === undefined)) throw new ValidationError('schedule', 'needs exactly one of every (ms) and cron (a pattern)');
  if (o.timezone !== undefined && o.cron === undefined) throw new ValidationError('timezone', 'applies to cron schedules only');
  const overlap = o.overlap ?? 'skip';
  if (overlap !== 'skip' && overlap !== 'queue') throw new ValidationError('overlap', `must be 'skip' or 'queue'; got ${preview(overlap)}`);
  const spec: ScheduleSpec = { id, overlap, task: template(o.task, assignmentFor) };
  if (o.every !== undefined) spec.every = checkInt('every', o.every, 1, limits.maxDelayMs);
  else {
    spec.cron = checkCron(o.cron, o.timezone === undefined ? undefined : checkName('timezone', o.timezone, 100));
    if (o.timezone !== undefined) spec.timezone = o.timezone as string;
  }
  return spec;
}

function checkCron(value: unknown, timezone: string | undefined): string {
  const pattern = checkName('cron', value, 200).trim();
  const fields = pattern.split(/\s+/).length;
  if (fields !== 5 && fields !== 6)
    throw new ValidationError('cron', `must have 5 fields (minute hour day month weekday) or 6 (seconds first); got ${fields} in ${JSON.stringify(pattern)}`);
  let next: Date | null;
  try {
    next = cronFor(pattern, timezone ?? 'UTC').nextRun();
  } catch (err) {
    const field = /time ?zone/i.test((err as Error).message) ? 'timezone' : 'cron';
    throw new ValidationError(field, `${JSON.stringify(field === 'cron' ? pattern : timezone)} is not valid: ${(err as Error).message}`);
  }
  if (next === null) throw new ValidationError('cron', `${JSON.stringify(pattern)} never matches a future time`);
  return pattern;
}

/**
 * The task template, validated as a task spec would be (without id, dependencies or times). The
 * hive's `assignment` for the type is resolved here, as `postTask` resolves it, so the journaled
 * schedule says how its tasks are assigned whatever options a later process opens with.
 */
function template(value: unknown, assignmentFor: ((type: string) => 'direct' | 'auction' | undefined) | undefined): ScheduleTaskTemplate {
  const t = checkKeys('task', value, templateKeys);
  const none = { taskExists: () => false, agentExists: () => false, agentLevel: () => undefined, ...(assignmentFor ? { assignmentFor } : {}) };
  const [r] = taskRecords([{ ...t, id: 'schedule-template' }], none).records;
  const out: ScheduleTaskTemplate = {
    type: r!.type,
    input: r!.input,
    priority: r!.priority,
    maxRetries: r!.maxRetries,
    backoffMs: r!.backoffMs,
    verify: r!.verify,
  };
  if (r!.timeoutMs !== undefined) out.timeoutMs = r!.timeoutMs;
  if (r!.owner !== undefined) out.owner = r!.owner;
  if (r!.assign === 'auction') {
    out.assign = 'auction';
    out.auction = r!.auction!;
  }
  return out;
}
