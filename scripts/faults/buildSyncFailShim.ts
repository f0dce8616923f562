/**
 * @module buildSyncFailShim: compiles (with the system C compiler) an LD_PRELOAD library that makes
 * fdatasync, fsync and msync fail with EIO while a marker file exists, so store-failure tests and
 * the torture run fail LMDB's syncs from outside hivestate's code, at an instant they choose.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable naming the marker file; while that file exists, every sync fails with EIO. */
export const syncFailMarkerEnv = 'HIVESTATE_SYNC_FAIL_MARKER';

const source = `
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int failing(void) {
  const char *marker = getenv("${syncFailMarkerEnv}");
  return marker != NULL && access(marker, F_OK) == 0;
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (failing()) { errno = EIO; return -1; }
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  return real(fd);
}

int fsync(int fd) {
  static int (*real)(int);
  if (failing()) { errno = EIO; return -1; }
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  return real(fd);
}

int msync(void *addr, size_t length, int flags) {
  static int (*real)(void *, size_t, int);
  if (failing()) { errno = EIO; return -1; }
  if (!real) real = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "msync");
  return real(addr, length, flags);
}
`;

/**
 * Builds the shim into `dir` and returns its path, or a reason when it cannot (no C compiler, not Linux).
 * @example const shim = buildSyncFailShim(tmp); spawn(node, args, { env: { LD_PRELOAD: shim.path, HIVESTATE_SYNC_FAIL_MARKER: marker } })
 */
export function buildSyncFailShim(dir: string): { path: string } | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: `LD_PRELOAD sync failures need Linux, this is ${process.platform}` };
  const src = join(dir, 'syncFail.c');
  const lib = join(dir, 'syncFail.so');
  writeFileSync(src, source);
  const cc = spawnSync(process.env.CC ?? 'cc', ['-shared', '-fPIC', '-O2', '-o', lib, src, '-ldl'], { encoding: 'utf8' });
  if (cc.error) return { unavailable: `no C compiler to build the sync-failure shim (${cc.error.message})` };
  if (cc.status !== 0) return { unavailable: `building the sync-failure shim failed: ${cc.stderr.trim()}` };
  return { path: lib };
}
