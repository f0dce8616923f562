/** @module prepareDataDir: makes sure a data directory exists and can be written, or says exactly why not. */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataDirError } from '../errors.js';

/**
 * Creates `dir` when missing and checks that it is a writable directory. Throws a DataDirError
 * naming the problem (a file in the way, no permission) instead of the raw `EEXIST`/`EACCES`.
 * @example prepareDataDir('./.hivestate')
 */
export function prepareDataDir(dir: string): void {
  const found = statOf(dir);
  if (found && !found.isDirectory()) throw new DataDirError(dir, 'is a file, not a directory');
  if (!found) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOTDIR' || e.code === 'EEXIST')
        throw new DataDirError(dir, `cannot be created: ${fileInTheWay(dir) ?? 'a part of its path'} is a file, not a directory`, { cause: err });
      throw new DataDirError(dir, `cannot be created (${e.code ?? e.message})`, { cause: err });
    }
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new DataDirError(dir, `is not writable by this process (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined; // a parent is a file: mkdir says so below
    throw new DataDirError(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

/** The nearest ancestor of `dir` that exists and is not a directory. */
function fileInTheWay(dir: string): string | undefined {
  for (let p = dirname(resolve(dir)); ; p = dirname(p)) {
    const s = statOf(p);
    if (s && !s.isDirectory()) return p;
    if (s || p === dirname(p)) return undefined;
  }
}
