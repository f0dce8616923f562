/** @module format: how the page writes times, sequence numbers and values. */

/**
 * A time of day with milliseconds (local time), or '' for 0.
 * @example clock(Date.UTC(2024, 0, 1, 12, 3, 4, 5)) // '12:03:04.005' in UTC
 */
export function clock(at: number): string {
  if (!at) return '';
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A short duration: 850 ms, 12.4 s, 3 min 2 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A state value as text: `running`, or `parent.child` for nested states. */
export function stateText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}.${stateText(v)}`)
      .join(', ');
  return String(value ?? '');
}

/** A value in one line, cut to `max` characters. */
export function short(value: unknown, max = 80): string {
  if (value === undefined) return '—';
  const s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'undefined');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
