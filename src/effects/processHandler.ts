/**
 * @module processHandler: a Handler that runs a command per attempt. The task input goes to stdin as
 * JSON; stdout must be JSON (the output). A non-zero exit or a signal fails the attempt; cancel or
 * timeout kills the process (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn } from 'node:child_process';
import type { Json } from '../../machines/types.js';
import type { Handler } from './types.js';

export interface ProcessHandlerOptions {
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** How long after SIGTERM the process gets SIGKILL. @default 2000 */
  killGraceMs?: number;
}

class ProcessFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'ProcessFailure';
  }
}

/**
 * @example hive.spawnAgent({ name: 'py', capabilities: ['score'], handler: processHandler({ command: 'python3', args: ['score.py'] }) })
 */
export function processHandler(options: ProcessHandlerOptions): Handler {
  const grace = options.killGraceMs ?? 2000;
  return (task, ctx) =>
    new Promise<Json>((resolve, reject) => {
      const child = spawn(options.command, options.args ?? [], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env, HIVE_TASK_ID: task.id, HIVE_ATTEMPT: String(ctx.attempt), HIVE_AGENT_ID: ctx.agentId },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), grace);
        killTimer.unref();
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => {
        if (err.reduce((n, b) => n + b.length, 0) < 64 * 1024) err.push(d);
      });
      child.stdin.on('error', () => undefined); // the command may exit without reading its input
      child.on('error', (e) => reject(new ProcessFailure('spawn_failed', `cannot run ${options.command}: ${e.message}`)));
      child.on('close', (code, signal) => {
        ctx.signal.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        const stderr = Buffer.concat(err).toString('utf8').trim().slice(-2000);
        if (signal) return reject(new ProcessFailure(`signal_${signal}`, `${options.command} was killed by ${signal}${stderr ? `: ${stderr}` : ''}`));
        if (code !== 0) return reject(new ProcessFailure(`exit_${code}`, `${options.command} exited with code ${code}${stderr ? `: ${stderr}` : ''}`));
        const text = Buffer.concat(out).toString('utf8').trim();
        try {
          resolve(text === '' ? null : (JSON.parse(text) as Json));
        } catch {
          reject(new ProcessFailure('bad_output', `${options.command} printed something that is not JSON: ${text.slice(0, 200)}`));
        }
      });
      child.stdin.end(JSON.stringify(task.input));
    });
}
