// Bundles the GitHub Action (action/main.ts, action/post.ts) into action/dist/, committed: GitHub
// runs an action from the repository as it is, with no install step. `npm run build:action`
// rebuilds them; test/e2e/github-action.test.ts fails when the committed files differ from a rebuild.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The settings of the committed bundles (the test rebuilds with exactly these). */
export function actionBuildOptions(outdir = `${root}action/dist`): BuildOptions {
  return {
    entryPoints: { main: `${root}action/main.ts`, post: `${root}action/post.ts` },
    outdir,
    outExtension: { '.js': '.mjs' },
    // main and post share one chunk instead of carrying the SDK twice.
    splitting: true,
    chunkNames: 'shared-[hash]',
    bundle: true,
    platform: 'node' as const,
    // ESM builds of dependencies: CommonJS ones lose their named exports behind import().
    mainFields: ['module', 'main'],
    format: 'esm' as const,
    target: 'node20',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning' as const,
    banner: {
      js: [
        '// Built by scripts/build-action.mjs from action/*.ts; do not edit.',
        "import { createRequire as __dbforkCreateRequire } from 'node:module';",
        'const require = __dbforkCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // From scratch: a chunk of an earlier build must not linger next to the new ones.
  await rm(`${root}action/dist`, { recursive: true, force: true });
  await build(actionBuildOptions());
}
