/** @module openControl: opens a hive's control socket (`createHive({ control: true })`) and closes it first on close(). */
import { controlSocketPath } from '../control/controlSocketPath.js';
import { serveControl } from '../control/serveControl.js';
import type { Hive } from '../createHive.js';
import { ControlSocketError } from '../errors.js';
import type { HiveParts } from './assembleHive.js';

/**
 * Serves the CLI's control requests for `hive` until it closes. When the socket cannot be opened,
 * the hive is closed again and a ControlSocketError says why.
 * @example await openControl(hive, parts, './.hivestate')
 */
export async function openControl(hive: Hive, parts: HiveParts, dataDir: string): Promise<void> {
  try {
    parts.addCloser(await serveControl(hive, dataDir));
  } catch (err) {
    await hive.close().catch(() => undefined);
    throw new ControlSocketError(controlSocketPath(dataDir), (err as Error).message, { cause: err });
  }
}
