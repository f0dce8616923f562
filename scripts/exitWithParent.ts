/** @module exitWithParent: child processes of tests and harnesses never outlive the process that started them. */

/**
 * Exits this process (code 1) within a second of its parent's death, even a SIGKILL of the parent.
 * @example exitWithParent() // at the top of a test fixture or a harness child
 */
export function exitWithParent(): void {
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && process.exit(1), 1000).unref();
}
