/** @module scheduleInputs: applies the schedule inputs: create or update (`schedule.set`), pause, resume, remove. */
import { address } from '../../machines/address.js';
import { statusOf } from './ActorKind.js';
import type { InputHandler } from './applyInput.js';

const command: InputHandler<'schedule.pause' | 'schedule.resume' | 'schedule.remove'> = (core, input) =>
  core.deliver(address('schedule', input.scheduleId), { type: input.type, at: core.at }, 'input');

export const scheduleInputs: {
  'schedule.set': InputHandler<'schedule.set'>;
  'schedule.pause': typeof command;
  'schedule.resume': typeof command;
  'schedule.remove': typeof command;
} = {
  'schedule.set': (core, { schedule }) => {
    const current = core.current('schedule', schedule.id);
    if (current && statusOf(current) !== 'removed')
      core.deliver(address('schedule', schedule.id), { type: 'schedule.update', spec: schedule, at: core.at }, 'input');
    else core.create('schedule', schedule.id, { spec: schedule, at: core.at });
    return schedule.id;
  },
  'schedule.pause': command,
  'schedule.resume': command,
  'schedule.remove': command,
};
