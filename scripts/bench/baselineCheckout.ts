/**
 * @module baselineCheckout: checks a git ref out into a temporary worktree (sharing this checkout's
 * node_modules) so the throughput bench can measure "today's figure" in the same run, and removes it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BaselineCheckout {
  /** The ref as given and the commit it names (short hash). */
  ref: string;
  commit: string;
  /** The baseline's public entry point, to import its `createHive`. */
  entry: string;
  /** Removes the worktree (idempotent). */
  remove(): void;
}

const git = (cwd: string, args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });
const firstLine = (s: string | undefined) => (s ?? '').trim().split('\n')[0] ?? '';

/**
 * Checks `ref` out with `git worktree add --detach` into a temp dir and symlinks `repo`'s
 * node_modules into it; returns why not (a sentence) when git, the checkout or the ref is missing.
 * @example const b = checkoutBaseline(repoRoot, '29dc4e9'); if (typeof b !== 'string') { ...; b.remove() }
 */
export function checkoutBaseline(repo: string, ref: string): BaselineCheckout | string {
  const version = git(repo, ['--version']);
  if (version.error) return `git is not available: ${version.error.message}`;
  const top = git(repo, ['rev-parse', '--show-toplevel']);
  if (top.status !== 0) return `${repo} is not a git checkout: ${firstLine(top.stderr)}`;
  const commit = git(repo, ['rev-parse', '--verify', '--quiet', '--short', `${ref}^{commit}`]);
  if (commit.status !== 0) return `git ref ${JSON.stringify(ref)} is not a commit in this repository`;
  if (!existsSync(join(repo, 'node_modules'))) return `${repo}/node_modules is missing (run npm ci)`;
  const dir = mkdtempSync(join(tmpdir(), 'hive-bench-baseline-'));
  const added = git(repo, ['worktree', 'add', '--detach', dir, ref]);
  if (added.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `git worktree add failed: ${firstLine(added.stderr)}`;
  }
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    // Unlink the symlink first, so nothing below can ever reach into this checkout's node_modules.
    try {
      unlinkSync(join(dir, 'node_modules'));
    } catch {}
    // Not `git worktree prune`: the repository is shared with other worktrees; touch only this one.
    git(repo, ['worktree', 'remove', '--force', dir]);
    rmSync(dir, { recursive: true, force: true });
  };
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const entry = join(dir, 'src', 'index.ts');
  if (!existsSync(entry)) {
    remove();
    return `${ref} has no src/index.ts`;
  }
  return { ref, commit: commit.stdout.trim(), entry, remove };
}
