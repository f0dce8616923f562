/** @module statusColors: one colour per actor status, so that running, completed and failed never look alike. */

const colors: Record<string, string> = {
  // tasks: waiting (blues), working (yellow, orange), done (greens), bad ends (reds), cancelled (grey)
  pending: '#d0ebff',
  assigned: '#d0bfff',
  running: '#ffe066',
  verifying: '#ffc078',
  retrying: '#fcc2d7',
  // its agent failed and no capable backup was left: escalated, waits for a capable agent
  suspended: '#e599f7',
  completed: '#8ce99a',
  verified: '#38d9a9',
  failed: '#ff6b6b',
  timed_out: '#ff8787',
  rejected: '#f783ac',
  cancelled: '#ced4da',
  // agents and the coordinator
  idle: '#b2f2bb',
  busy: '#ffd43b',
  paused: '#dee2e6',
  error: '#fa5252',
  stopped: '#adb5bd',
  halted: '#e03131',
};

/**
 * The background colour for a status; a status this page does not know (a new kind's) gets a stable
 * colour of its own from its name.
 * @example statusColor('running') !== statusColor('completed') // true
 */
export function statusColor(status: string): string {
  const known = colors[status];
  if (known) return known;
  let h = 0;
  for (const ch of status) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 70% 82%)`;
}

/** Statuses that mean "something went wrong": drawn with a red outline too. */
export const isBadStatus = (status: string) => ['failed', 'timed_out', 'rejected', 'suspended', 'error', 'halted'].includes(status);
