/** @module Test helper: runs the `hivestate` CLI (src/cli/main.ts through tsx) in a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const cliPath = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
/** tsx's loader by URL, so that the CLI also starts from a working directory outside the repository. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `done` resolves with its exit status and output when it exits. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): { child: ChildProcess; stdout: () => string; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, stdout: () => stdout, done };
}

/** Runs the CLI to completion. */
export function runCli(args: string[]): Promise<CliResult> {
  return startCli(args).done;
}
