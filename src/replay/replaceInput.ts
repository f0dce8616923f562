/**
 * @module replaceInput: checks and builds the input a what-if fork journals in place of a recorded
 * one. A replacement stays in the recorded input's family (an attempt outcome for another outcome
 * of the same task and attempt, a verification result for another, an agent command for another
 * command to the same agent); fields it does not give come from the recorded input.
 */
import { ValidationError } from '../errors.js';
import type { Input } from '../kernel/inputs.js';
import { checkId, checkJson, checkKeys, checkName } from '../validate.js';

type Type = Input['type'];

/** Families of inputs that may replace each other, and the fields that must stay the recorded ones. */
const families: Array<{ name: string; types: Type[]; identity: string[] }> = [
  { name: 'attempt outcome', types: ['attempt.succeeded', 'attempt.failed', 'attempt.rejected', 'attempt.lost'], identity: ['taskId', 'attempt'] },
  { name: 'verification result', types: ['verify.passed', 'verify.failed'], identity: ['taskId', 'attempt'] },
  { name: 'progress report', types: ['attempt.progress'], identity: ['taskId', 'attempt'] },
  { name: 'handler checkpoint', types: ['attempt.checkpoint'], identity: ['taskId', 'attempt'] },
  { name: 'agent command', types: ['agent.pause', 'agent.resume', 'agent.stop', 'agent.heartbeat'], identity: ['agentId'] },
];

const checkText = (field: string, v: unknown) => checkName(field, v, 65_536);

/** Each replaceable type's fields besides `type`: [name, required, check]. */
const fields: Partial<Record<Type, Array<[string, boolean, (field: string, v: unknown) => unknown]>>> = {
  'attempt.succeeded': [
    ['taskId', true, checkId],
    ['attempt', true, checkAttempt],
    ['output', true, checkJson],
  ],
  'attempt.failed': [
    ['taskId', true, checkId],
    ['attempt', true, checkAttempt],
    ['error', true, checkError],
  ],
  'attempt.rejected': [
    ['taskId', true, checkId],
    ['attempt', true, checkAttempt],
    ['agentId', true, checkId],
    ['reason', true, checkText],
  ],
  'attempt.lost': [
    ['taskId', true, checkId],
    ['attempt', true, checkAttempt],
  ],
  'verify.passed': [
    ['taskId', true, checkId],
    ['attempt', true, checkAttempt],
  ],
  'verify.failed': [
    ['taskId', true, checkId],
    ['attempt', true, checkAttempt],
    ['reason', true, checkText],
  ],
  'attempt.progress': [
    ['taskId', true, checkId],
    ['attempt', true, checkAttempt],
    ['pct', true, checkPct],
    ['note', false, checkText],
  ],
  'attempt.checkpoint': [
    ['taskId', true, checkId],
    ['attempt', true, checkAttempt],
    ['state', true, checkJson],
  ],
  'agent.pause': [['agentId', true, checkId]],
  'agent.resume': [['agentId', true, checkId]],
  'agent.stop': [['agentId', true, checkId]],
  'agent.heartbeat': [['agentId', true, checkId]],
};

/**
 * The input to journal at `seq` instead of `recorded`: `replacement`'s fields over the recorded
 * ones, only those its type has, each checked. Throws a ValidationError naming what is wrong.
 * @example replaceInput(57, { type: 'attempt.failed', taskId: 'b', attempt: 1, error }, { type: 'attempt.succeeded', output: 'ok' })
 */
export function replaceInput(seq: number, recorded: Input, replacement: unknown): Input {
  const where = `replace[${seq}]`;
  const family = families.find((f) => f.types.includes(recorded.type));
  if (!family)
    throw new ValidationError(
      where,
      `input ${seq} is a ${recorded.type}; only attempt outcomes, verification results, progress reports, handler checkpoints and agent commands can be replaced`,
    );
  const given = checkKeys(where, replacement, ['type', ...new Set(Object.values(fields).flatMap((f) => f!.map(([name]) => name)))]);
  const type = (given.type ?? recorded.type) as Type;
  if (!family.types.includes(type)) {
    throw new ValidationError(
      `${where}.type`,
      `input ${seq} is a ${recorded.type} (${family.name}); a replacement must be one of ${family.types.join(', ')}, got ${JSON.stringify(given.type)}`,
    );
  }
  const merged: Record<string, unknown> = { ...recorded, ...given };
  for (const id of family.identity) {
    if (merged[id] !== (recorded as Record<string, unknown>)[id]) {
      throw new ValidationError(
        `${where}.${id}`,
        `must stay ${JSON.stringify((recorded as Record<string, unknown>)[id])} (the recorded ${recorded.type} is for that ${id === 'agentId' ? 'agent' : 'task and attempt'}); got ${JSON.stringify(merged[id])}`,
      );
    }
  }
  const out: Record<string, unknown> = { type };
  for (const [name, required, check] of fields[type]!) {
    const v = merged[name];
    if (v === undefined) {
      if (required) throw new ValidationError(`${where}.${name}`, `a ${type} needs ${name}, and the recorded ${recorded.type} has none to keep`);
      continue;
    }
    out[name] = check(`${where}.${name}`, v) ?? v;
  }
  for (const name of Object.keys(given)) {
    if (name !== 'type' && !fields[type]!.some(([f]) => f === name))
      throw new ValidationError(`${where}.${name}`, `a ${type} has no field ${name}; its fields are ${fields[type]!.map(([f]) => f).join(', ')}`);
  }
  return out as unknown as Input;
}

function checkAttempt(field: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new ValidationError(field, `must be an attempt number (an integer >= 1), got ${JSON.stringify(v)}`);
  return v as number;
}

function checkPct(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100)
    throw new ValidationError(field, `must be a number from 0 to 100, got ${JSON.stringify(v)}`);
  return v;
}

function checkError(field: string, v: unknown): { code: string; message: string } {
  const e = checkKeys(field, v, ['code', 'message']);
  return { code: checkName(`${field}.code`, e.code), message: checkText(`${field}.message`, e.message) };
}
