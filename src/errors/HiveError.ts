/** @module HiveError: the base of every error hivestate throws, its stable codes, and `isHiveError`. */

export type HiveErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'duplicate_id'
  | 'dependency_cycle'
  | 'access_denied'
  | 'already_finished'
  | 'depth_limit'
  | 'hive_closed'
  | 'store_failure'
  | 'wait_timeout'
  | 'task_rejected'
  | 'unsupported_format'
  | 'locked'
  | 'attempt_superseded'
  | 'determinism_violation'
  | 'not_retryable'
  | 'signal_timeout'
  | 'attempt_suspended'
  | 'invalid_data_dir'
  | 'control_unavailable'
  | 'colony_stopped'
  | 'remote_unavailable'
  | 'worker_refused'
  | 'handoff_refused';

/** Base class: `code` is stable and meant for programs, `message` for people. */
export class HiveError extends Error {
  readonly code: HiveErrorCode;
  constructor(code: HiveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HiveError';
    this.code = code;
  }
}

/** True when `err` is a HiveError (optionally with the given code). */
export function isHiveError(err: unknown, code?: HiveErrorCode): err is HiveError {
  return err instanceof HiveError && (code === undefined || err.code === code);
}
