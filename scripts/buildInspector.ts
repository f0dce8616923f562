/**
 * @module buildInspector: bundles the inspector page (src/inspect/page, Preact + ELK) with esbuild into
 * dist/inspector (index.html, inspector.js, inspector.css, elk-worker.js), which the inspector server serves.
 * Run by `npm run build`; `node --import tsx scripts/buildInspector.ts [outDir]`.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the page into `outDir` (default dist/inspector).
 * @example await buildInspector('/tmp/page')
 */
export async function buildInspector(outDir = join(root, 'dist', 'inspector')): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { inspector: join(root, 'src/inspect/page/main.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(root, 'src/inspect/page/tsconfig.json'),
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'src/inspect/page/index.html'), join(outDir, 'index.html'));
  // ELK's layout engine runs in a worker, loaded from its own file as the package ships it.
  copyFileSync(createRequire(import.meta.url).resolve('elkjs/lib/elk-worker.min.js'), join(outDir, 'elk-worker.js'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildInspector(process.argv[2]);
