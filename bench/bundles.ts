/**
 * bundles: every handler Lambda bundled as `cdk deploy` bundles it (DBFORK_BUNDLING of
 * lib/dbfork-function.ts: esbuild, ESM, minified, `module` before `main`, the SDK bundled in), its
 * size and its cold import time, against a naive bundle with the same settings that imports every
 * AWS SDK package the handlers use, whole. Import time: a fresh `node` per import (nothing cached),
 * timed around the `import()` inside it; the median of a few.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { STEP_NAMES } from '../lambdas/steps/step-names.js';
import {
  DBFORK_BUNDLE_ALIASES,
  DBFORK_BUNDLING,
  DBFORK_RUNTIME,
  handlerEntry,
} from '../lib/dbfork-function.js';
import type { BundlesFigure } from './results.js';
import { median, ratio } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NAIVE = 'naive';
const run = promisify(execFile);

const EXPORTS_HANDLER = /export\s+(const|async\s+function|function)\s+handler\b/;

/** The handler entries the stack deploys: every step, every API function, every EventBridge consumer (events, commands) exporting `handler`. */
export function handlerEntries(root = ROOT): string[] {
  const withHandler = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `${dir}/${name}`)
      .filter((entry) => EXPORTS_HANDLER.test(readFileSync(join(root, entry), 'utf8')));
  return [
    ...STEP_NAMES.map((step) => `lambdas/steps/${step}.ts`),
    ...withHandler('lambdas/api/functions'),
    ...withHandler('lambdas/events'),
    ...withHandler('lambdas/commands'),
  ];
}

/** What the handlers take from the Powertools layer. */
const POWERTOOLS_PACKAGES = [
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/metrics',
  '@aws-lambda-powertools/tracer',
];

const SDK_IMPORT = /from\s+'(@aws-sdk\/[a-z0-9-]+)'/g;

/** Every AWS SDK package imported anywhere under lambdas/ (types-only imports included: the naive side is generous). */
export function sdkPackagesUsed(root = ROOT): string[] {
  const files = readdirSync(join(root, 'lambdas'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  const packages = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(join(root, 'lambdas', file), 'utf8').matchAll(SDK_IMPORT)) {
      if (match[1]) packages.add(match[1]);
    }
  }
  return [...packages].sort();
}

function esbuildOptions(outdir: string) {
  return {
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node' as const,
    target: `node${DBFORK_RUNTIME.name.replace(/\D/g, '')}`,
    format: 'esm' as const,
    mainFields: [...DBFORK_BUNDLING.mainFields],
    banner: { js: DBFORK_BUNDLING.banner },
    minify: DBFORK_BUNDLING.minify,
    sourcemap: DBFORK_BUNDLING.sourceMap,
    sourcesContent: DBFORK_BUNDLING.sourcesContent,
    external: [...DBFORK_BUNDLING.externalModules],
    logLevel: 'silent' as const,
  };
}

const IMPORT_PROBE =
  'const started = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - started));';

async function importMs(file: string): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_PROBE, pathToFileURL(file).href],
    {
      cwd: tmpdir(),
      timeout: 60_000,
      env: {
        ...process.env,
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    },
  );
  const ms = Number(stdout);
  if (!Number.isFinite(ms)) throw new Error(`importing ${file} printed ${stdout}`);
  return ms;
}

async function medianImportMs(file: string, runs: number): Promise<number | null> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await importMs(file));
  return median(times);
}

export async function measureBundles(options: { importRuns: number }): Promise<BundlesFigure> {
  const outdir = mkdtempSync(join(tmpdir(), 'dbfork-bench-bundles-'));
  try {
    const entries = handlerEntries();
    await build({
      ...esbuildOptions(outdir),
      // As the stack bundles them (the naive bundle below keeps the SDK's default credential chain).
      alias: { ...DBFORK_BUNDLE_ALIASES },
      entryPoints: Object.fromEntries(
        entries.map((entry) => [entry.replace(/\.ts$/, ''), handlerEntry(entry)]),
      ),
    });
    // The layer's packages, where Node looks for the bundles' externals (as /opt/nodejs/node_modules in Lambda).
    symlinkSync(join(ROOT, 'node_modules'), join(outdir, 'node_modules'), 'dir');
    const layerFile = join(outdir, 'powertools-layer.mjs');
    await build({
      ...esbuildOptions(outdir),
      external: [],
      stdin: {
        contents: POWERTOOLS_PACKAGES.map((pkg, i) => `export * as pt${i} from '${pkg}';`).join('\n'),
        resolveDir: ROOT,
        sourcefile: 'powertools-layer.ts',
        loader: 'ts',
      },
      outfile: layerFile,
      outdir: undefined,
    });
    const naiveImports = sdkPackagesUsed();
    await build({
      ...esbuildOptions(outdir),
      // Namespace re-exports keep every export of every package: nothing is tree-shaken away.
      stdin: {
        contents: naiveImports.map((pkg, i) => `export * as sdk${i} from '${pkg}';`).join('\n'),
        resolveDir: ROOT,
        sourcefile: `${NAIVE}.ts`,
        loader: 'ts',
      },
      outfile: join(outdir, `${NAIVE}.mjs`),
      outdir: undefined,
    });
    const perHandler: BundlesFigure['perHandler'] = {};
    for (const entry of entries) {
      const file = join(outdir, entry.replace(/\.ts$/, '.mjs'));
      perHandler[relative('lambdas', entry).replace(/\.ts$/, '')] = {
        bytes: statSync(file).size,
        importMs: await medianImportMs(file, options.importRuns),
      };
    }
    const naiveFile = join(outdir, `${NAIVE}.mjs`);
    const naiveBytes = statSync(naiveFile).size;
    const naiveImportMs = await medianImportMs(naiveFile, options.importRuns);
    const figures = Object.values(perHandler);
    const maxBytes = Math.max(...figures.map((f) => f.bytes));
    const imports = figures.flatMap((f) => (f.importMs === null ? [] : [f.importMs]));
    const maxImportMs = imports.length ? Math.max(...imports) : null;
    return {
      maxBytes,
      naiveBytes,
      maxImportMs,
      naiveImportMs,
      maxBytesVsNaive: ratio(maxBytes, naiveBytes),
      maxImportVsNaive: ratio(maxImportMs, naiveImportMs),
      naiveImports,
      powertoolsLayerBytes: statSync(layerFile).size,
      perHandler,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
