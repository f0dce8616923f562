/**
 * @module processHandler: a Handler that runs a command per attempt, in its own process group. The task
 * input goes to stdin as JSON; stdout must be JSON (the output). A non-zero exit or a signal fails the
 * attempt; cancel, timeout or too much output kills the whole group (SIGTERM, then SIGKILL after a
 * grace period), and the attempt settles in bounded time even if some process keeps the pipes open.
 */
import { spawn } from 'node:child_process';
import type { Json } from '../../machines/types.js';
import { ValidationError } from '../errors.js';
import { checkInt, checkKeys, checkName, readSafely } from '../validate.js';
import type { Handler } from './types.js';

export interface ProcessHandlerOptions {
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** How long after SIGTERM the process group gets SIGKILL. @default 2000 */
  killGraceMs?: number;
  /**
   * Most bytes of stdout read. Beyond it the process group is killed and the attempt fails with
   * `output_too_large` (stdout is held in memory to be parsed as JSON). @default 16 MiB
   */
  maxOutputBytes?: number;
}

export const defaultProcessHandlerOptions = { killGraceMs: 2000, maxOutputBytes: 16 * 1024 * 1024 } as const;

/** Above this, stdout could not become one string to parse (V8's limit is about 512 MiB). */
const outputBytesLimit = 256 * 1024 * 1024;
/** Stderr kept for the failure message: its last bytes, which usually say what went wrong. */
const stderrBytes = 64 * 1024;
/** After SIGKILL (or after the command exits while something else holds its pipes), how long to wait for the pipes. */
const pipeCloseMs = 250;

class ProcessFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProcessFailure';
  }
}

/** Process groups of running commands: killed if this process exits first, since they are no longer in its group. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of liveGroups) killGroup(group, 'SIGKILL');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: every process in the group is gone already.
  }
}

/**
 * A handler that runs `command` once per attempt.
 * @example hive.spawnAgent({ name: 'py', capabilities: ['score'], handler: processHandler({ command: 'python3', args: ['score.py'], maxOutputBytes: 1 << 20 }) })
 */
export function processHandler(options: ProcessHandlerOptions): Handler {
  const o = compileProcessHandlerOptions(options);
  return (task, ctx) =>
    new Promise<Json>((resolve, reject) => {
      // A group of its own, so that cancel and timeout reach the command's children too.
      const child = spawn(o.command, o.args, {
        cwd: o.cwd,
        env: { ...process.env, ...o.env, HIVE_TASK_ID: task.id, HIVE_ATTEMPT: String(ctx.attempt), HIVE_AGENT_ID: ctx.agentId },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const group = child.pid;
      if (group !== undefined) trackGroup(group);
      const out: Buffer[] = [];
      let outBytes = 0;
      let err: Buffer[] = [];
      let errBytes = 0;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let stopped: ProcessFailure | undefined;
      const timers: NodeJS.Timeout[] = [];
      const later = (ms: number, fn: () => void) => {
        const t = setTimeout(fn, ms);
        t.unref();
        timers.push(t);
      };
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        ctx.signal.removeEventListener('abort', onAbort);
        if (group !== undefined) liveGroups.delete(group);
        // Whatever still holds the pipes (a process that left the group) no longer keeps us waiting.
        child.stdout.destroy();
        child.stderr.destroy();
        child.stdin.destroy();
        try {
          resolve(conclude());
        } catch (e) {
          reject(e);
        }
      };
      const conclude = (): Json => {
        const stderr = Buffer.concat(err).toString('utf8').trim().slice(-2000);
        if (stopped) throw stopped;
        if (!exit) throw new ProcessFailure('no_exit', `${o.command} did not exit after SIGKILL${stderr ? `: ${stderr}` : ''}`);
        if (exit.signal) throw new ProcessFailure(`signal_${exit.signal}`, `${o.command} was killed by ${exit.signal}${stderr ? `: ${stderr}` : ''}`);
        if (exit.code !== 0) throw new ProcessFailure(`exit_${exit.code}`, `${o.command} exited with code ${exit.code}${stderr ? `: ${stderr}` : ''}`);
        const text = Buffer.concat(out).toString('utf8').trim();
        try {
          return text === '' ? null : (JSON.parse(text) as Json);
        } catch {
          throw new ProcessFailure('bad_output', `${o.command} printed something that is not JSON: ${text.slice(0, 200)}`);
        }
      };
      /** Kills the group: SIGTERM, SIGKILL after the grace, and settles shortly after that whatever holds the pipes. */
      const stop = (why: ProcessFailure) => {
        if (stopped || settled) return;
        stopped = why;
        if (group !== undefined) killGroup(group, 'SIGTERM');
        later(o.killGraceMs, () => {
          if (group !== undefined) killGroup(group, 'SIGKILL');
          later(pipeCloseMs, settle);
        });
      };
      const onAbort = () =>
        stop(new ProcessFailure('aborted', `${o.command} was stopped: ${String((ctx.signal.reason as Error | undefined)?.message ?? 'aborted')}`));
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => {
        if (stopped) return;
        outBytes += d.length;
        if (outBytes > o.maxOutputBytes) {
          out.length = 0;
          child.stdout.destroy(); // stop reading; the command gets EPIPE while it is being stopped
          stop(new ProcessFailure('output_too_large', `${o.command} printed more than ${o.maxOutputBytes} bytes on stdout (maxOutputBytes); it was stopped`));
          return;
        }
        out.push(d);
      });
      child.stderr.on('data', (d: Buffer) => {
        err.push(d);
        errBytes += d.length;
        if (errBytes > 2 * stderrBytes) {
          const tail = Buffer.concat(err).subarray(-stderrBytes);
          err = [tail];
          errBytes = tail.length;
        }
      });
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream.on('error', () => undefined); // EPIPE and the like: the exit status says what happened
      child.on('error', (e) => {
        stopped ??= new ProcessFailure('spawn_failed', `cannot run ${o.command}: ${e.message}`);
        settle();
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        // The command is gone; if something it started still holds stdout or stderr, that does not hold the attempt.
        if (!stopped)
          later(o.killGraceMs, () => {
            if (group !== undefined) killGroup(group, 'SIGKILL');
            later(pipeCloseMs, settle);
          });
      });
      child.on('close', settle);
      child.stdin.end(JSON.stringify(task.input));
    });
}

function compileProcessHandlerOptions(options: ProcessHandlerOptions): Required<Omit<ProcessHandlerOptions, 'cwd'>> & { cwd: string | undefined } {
  const o = checkKeys('processHandler', options, ['command', 'args', 'cwd', 'env', 'killGraceMs', 'maxOutputBytes']);
  const env =
    o.env === undefined
      ? {}
      : checkKeys(
          'processHandler.env',
          o.env,
          readSafely('processHandler.env', () => Object.keys(o.env as object)),
        );
  for (const [k, v] of Object.entries(env)) if (typeof v !== 'string') throw new ValidationError(`processHandler.env.${k}`, 'must be a string');
  const args = o.args === undefined ? [] : readSafely('processHandler.args', () => (Array.isArray(o.args) ? [...(o.args as unknown[])] : undefined));
  if (!args || args.some((a) => typeof a !== 'string')) throw new ValidationError('processHandler.args', 'must be an array of strings');
  return {
    command: checkName('processHandler.command', o.command, 4096),
    args: args as string[],
    cwd: o.cwd === undefined ? undefined : checkName('processHandler.cwd', o.cwd, 4096),
    env: env as Record<string, string>,
    killGraceMs: o.killGraceMs === undefined ? defaultProcessHandlerOptions.killGraceMs : checkInt('processHandler.killGraceMs', o.killGraceMs, 0, 600_000),
    maxOutputBytes:
      o.maxOutputBytes === undefined
        ? defaultProcessHandlerOptions.maxOutputBytes
        : checkInt('processHandler.maxOutputBytes', o.maxOutputBytes, 1, outputBytesLimit),
  };
}
