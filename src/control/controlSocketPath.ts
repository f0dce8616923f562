/** @module controlSocketPath: where a running hive's local control socket lives for a data directory. */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A Unix socket path derived from the data directory's absolute path (kept in the temp directory:
 * socket paths are limited to about 100 bytes, data directories are not).
 * @example controlSocketPath('./.hivestate') // '/tmp/hivestate-3f2a9c1b7e4d.sock'
 */
export function controlSocketPath(dataDir: string): string {
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12);
  return join(tmpdir(), `hivestate-${hash}.sock`);
}
