/** @module controlProtocol: the requests another process (the CLI) may send to the process that runs a hive. */
import type { Json } from '../../machines/types.js';

/** One request per connection, as one JSON line; the answer is one JSON line too. */
export type ControlRequest =
  | { op: 'post'; task: { [key: string]: Json } }
  | { op: 'cancel'; taskId: string; by?: string }
  | { op: 'retry'; taskId: string; by?: string }
  | { op: 'signal'; taskId: string; name: string; value: Json };

export type ControlResponse = { ok: true; result: Json } | { ok: false; error: { code: string; message: string } };
