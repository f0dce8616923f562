import { describe, expect, it } from 'vitest';
import { Liveness } from '../src/remote/Liveness.js';

describe('Liveness', () => {
  it('reports a worker silent past the timeout once per period, and excuses time the hive itself was stalled', () => {
    let now = 1000;
    const l = new Liveness(100, () => now);
    l.heard('w1');
    now += 100;
    expect(l.silent('w1')).toBe(false);
    now += 1;
    expect(l.silent('w1')).toBe(true);
    l.reported('w1');
    expect(l.silent('w1')).toBe(false);
    // Never heard: counted from the start (or the last reset).
    expect(l.silent('w2')).toBe(true);
    l.reset();
    expect(l.silent('w2')).toBe(false);
    // A 5 s stall of the hive is nobody's silence.
    l.heard('w1');
    now += 5000;
    l.excuse(5000);
    expect(l.silent('w1')).toBe(false);
    expect(l.silent('w2')).toBe(false);
    now += 101;
    expect(l.silent('w1')).toBe(true);
  });
});
