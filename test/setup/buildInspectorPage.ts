/** @module Builds the inspector page (dist/inspector) once before the tests, as `npm run build` does. */
import { buildInspector } from '../../scripts/buildInspector.js';

export default async function setup(): Promise<void> {
  await buildInspector();
}
