/** @module inspectorAssets: finds the inspector page's built files (`npm run build` writes them to dist/inspector) and serves them by name. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InspectorAssetsError } from '../errors.js';

export interface InspectorAsset {
  body: Buffer;
  type: string;
}

const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/** The files the page consists of; nothing else is ever read from the directory. */
export const inspectorAssetNames = ['index.html', 'inspector.js', 'inspector.css', 'elk-worker.js'] as const;

/**
 * The directory holding the built page: next to the compiled module (`dist/src/inspect` ->
 * `dist/inspector`) in the package, or `dist/inspector` of the checkout when running from source.
 * @example inspectorAssetsDir() // '/…/node_modules/hivestate/dist/inspector/'
 */
export function inspectorAssetsDir(): string {
  const candidates = [new URL('../../inspector/', import.meta.url), new URL('../../dist/inspector/', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((d) => existsSync(`${d}index.html`));
  if (!found) throw new InspectorAssetsError(candidates);
  return found;
}

/**
 * Reads the page's files once (they are small and never change while the process runs).
 * @example const assets = loadInspectorAssets(); assets.get('inspector.js')?.type // 'text/javascript; charset=utf-8'
 */
export function loadInspectorAssets(dir = inspectorAssetsDir()): Map<string, InspectorAsset> {
  const out = new Map<string, InspectorAsset>();
  for (const name of inspectorAssetNames) out.set(name, { body: readFileSync(`${dir}${name}`), type: types[name.slice(name.lastIndexOf('.'))]! });
  return out;
}
