#!/usr/bin/env node
/** @module The `hivestate` command line: runs the program and turns errors into one line and an exit status. */
import { CommanderError } from 'commander';
import { isHiveError } from '../errors.js';
import { buildProgram } from './buildProgram.js';

/**
 * Runs the CLI with `argv` (without node and script) and resolves with the exit status.
 * @example process.exitCode = await main(['status', '--json'])
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed its one line
    if (isHiveError(err)) process.stderr.write(`hivestate: ${err.message}\n`);
    else {
      process.stderr.write(`hivestate: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
      if (process.env.HIVESTATE_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    }
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
