// `npm run build`: bundles the dbfork CLI (cli/main.ts) into one executable ESM file, dist/cli.mjs,
// the package's `bin`. Everything it imports is inside, so it runs with plain `node`.
import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/cli.mjs`;

await build({
  entryPoints: [`${root}cli/main.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ESM builds of dependencies (the SDK's dist-es): the CommonJS ones lose their named exports
  // behind a dynamic import() in an ESM bundle (the CloudFormation client the API lookup loads).
  mainFields: ['module', 'main'],
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins; ESM output has none of its own.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __dbforkCreateRequire } from 'node:module';",
      'const require = __dbforkCreateRequire(import.meta.url);',
    ].join('\n'),
  },
});
await chmod(outfile, 0o755);
