/** @module Test helper: runs test/fixtures/holdChild.ts (a hive in another process) and waits for lines it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AgentSpec, HiveOptions, TaskSpec } from '../src/index.js';

export interface ChildPlan {
  dataDir: string;
  agents?: AgentSpec[];
  tasks?: TaskSpec[];
  handlerTypes?: string[];
  ownHandlers?: string[];
  options?: Omit<HiveOptions, 'dataDir' | 'handlers' | 'logger' | 'clock'>;
}

export interface ChildHive {
  child: ChildProcess;
  /** Resolves once the child printed a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL (no close, no final checkpoint) and wait for the exit. */
  kill9(): Promise<void>;
}

/**
 * Starts a hive in a child process that holds `plan.dataDir` until killed.
 * @example const c = startChildHive({ dataDir, agents: [...], tasks: [...] }); await c.waitFor(/^started t1/); await c.kill9()
 */
export function startChildHive(plan: ChildPlan): ChildHive {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'holdChild.ts'), JSON.stringify(plan)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child did not print ${pattern} in ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`)), timeoutMs);
        const check = () => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            clearTimeout(timer);
            resolve(line);
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(new Error(`child exited (${child.exitCode}) before printing ${pattern}; stderr: ${err}`));
          } else waiters.push(check);
        };
        check();
      });
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
