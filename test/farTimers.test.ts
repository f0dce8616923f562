import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'farTimers.ts');

describe('durable timers further ahead than setTimeout reaches', () => {
  it('a task due in 30 days keeps the host idle: no TimeoutOverflowWarning, no spinning timer', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, join(tempDir(), 'data'), '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/TimeoutOverflowWarning/);
    expect(code, stderr).toBe(0);
    const r = JSON.parse(stdout) as { cpuMs: number; status: string };
    expect(r.status).toBe('pending');
    // Idle costs a few ms of CPU per second; a timer re-firing every millisecond costs 100+.
    expect(r.cpuMs).toBeLessThan(60);
  }, 30_000);
});
