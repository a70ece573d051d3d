/**
 * The one place the infra suite bundles for real. Everything else synthesizes with bundling skipped.
 *  - One function goes through NodejsFunction's own bundling (the exact `cdk synth` path) and the
 *    bundle is imported, proving the ESM output, the createRequire banner and the source map work.
 *  - Every handler entry is built with esbuild in one multi-entry build with the same resolution
 *    settings, proving each of them bundles (20 separate CDK bundlings take ~45 s; this ~1-2 s).
 *  - Every handler's own bundle holds the SDK clients of the runtime parts it declares and no other
 *    (lambdas/core/runtime-parts.ts): the point of building runtimes per handler.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { handlerEntries, sdkPackagesUsed } from '../../bench/bundles.js';
import { API_FUNCTIONS } from '../../lambdas/api/routes.js';
import { COMMAND_PARTS } from '../../lambdas/commands/command-routes.js';
import type { ServiceName } from '../../lambdas/core/runtime-types.js';
import { EXPIRY_WARNING_PARTS } from '../../lambdas/events/expiry-warning.js';
import { ORPHAN_DATABASES_PARTS } from '../../lambdas/events/orphan-databases.js';
import { ORPHAN_LEFTOVERS_PARTS } from '../../lambdas/events/orphan-leftovers.js';
import { POOL_KEEPER_PARTS } from '../../lambdas/events/pool-keeper.js';
import { RDS_EVENT_PARTS } from '../../lambdas/events/rds-event.js';
import { RECONCILER_PARTS } from '../../lambdas/events/reconciler.js';
import { STEPS } from '../../lambdas/steps/registry.js';
import {
  DBFORK_BUNDLE_ALIASES,
  DBFORK_BUNDLING,
  DBFORK_RUNTIME,
  DbForkFunction,
  ESM_REQUIRE_BANNER,
  handlerEntry,
  PROJECT_ROOT,
  powertoolsVersion,
} from '../../lib/dbfork-function.js';

const outdir = mkdtempSync(join(tmpdir(), 'dbfork-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Every handler the stack deploys (the steps, the API functions, the EventBridge consumers). */
const ENTRIES = handlerEntries();

describe('DbForkFunction bundling', () => {
  it('bundles a handler through NodejsFunction into an ESM .mjs with a source map that Node can load', () => {
    const started = Date.now();
    const app = new App({ outdir: join(outdir, 'cdk.out'), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'BundleProbe');
    new DbForkFunction(stack, 'Probe', { entry: 'lambdas/steps/resolve-source.ts' });
    const assembly = app.synth();
    const bundled = Date.now();
    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = join(assembly.directory, assets[0] ?? '');
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    // The function runs with AWS's Powertools layer of the version package.json pins, found in SSM.
    const template = assembly.getStackByName('BundleProbe').template as {
      Parameters: Record<string, { Type: string; Default: string }>;
      Resources: Record<string, { Type: string; Properties: { Layers?: unknown[] } }>;
    };
    const [parameterId, parameter] = Object.entries(template.Parameters).find(
      ([, p]) => p.Type === 'AWS::SSM::Parameter::Value<String>',
    ) ?? ['', undefined];
    expect(parameter?.Default).toBe(`/aws/service/powertools/typescript/generic/all/${powertoolsVersion()}`);
    const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
    expect(fn?.Properties.Layers).toEqual([{ Ref: parameterId }]);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    // Powertools is not bundled: AWS's layer of the pinned version provides it (as
    // /opt/nodejs/node_modules in Lambda; here the project's node_modules beside the bundle).
    expect(code).toMatch(/from\s*"@aws-lambda-powertools\/logger"/);
    expect(code).not.toContain('PowertoolsLogFormatter');
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // Load it in plain Node (as the Lambda runtime does), not through vitest's module pipeline.
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)}); console.log(typeof m.handler);`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe('function');
    // The SDK's default credential chain (container/instance metadata, SSO, ini files…) is aliased
    // out: Lambda gives the role's credentials in the environment (lambdas/core/env-credentials.ts).
    expect(code).not.toContain('AWS_CONTAINER_CREDENTIALS_FULL_URI');
    expect(code).toContain('AWS_SECRET_ACCESS_KEY');
    // Nor is the SDK's event-stream support (lambdas/core/no-event-streams.ts).
    expect(code).not.toContain('accommodate event stream message overhead');
    expect(code).toContain('event streams are not bundled');
    // zod's English messages are loaded (lambdas/core/zod.ts, declared a side effect in package.json).
    expect(code).toContain('Too big: expected');
    console.info(
      `NodejsFunction bundling of one handler: ${bundled - started} ms, import: ${Date.now() - bundled} ms`,
    );
  }, 60_000);

  it('pins every Powertools package to the one version whose AWS layer the functions use, and tests that version', () => {
    const version = powertoolsVersion();
    for (const pkg of ['logger', 'metrics', 'tracer', 'commons']) {
      const installed = JSON.parse(
        readFileSync(
          join(PROJECT_ROOT, 'node_modules', '@aws-lambda-powertools', pkg, 'package.json'),
          'utf8',
        ),
      ) as { version: string };
      expect(installed.version, pkg).toBe(version);
    }
  });

  it('bundles every handler entry with the same esbuild settings', async () => {
    const started = Date.now();
    for (const entry of ENTRIES) expect(existsSync(handlerEntry(entry)), entry).toBe(true);
    const result = await build({
      entryPoints: Object.fromEntries(
        ENTRIES.map((entry) => [entry.replace(/\.ts$/, ''), handlerEntry(entry)]),
      ),
      outdir: join(outdir, 'all'),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      target: `node${DBFORK_RUNTIME.name.replace(/\D/g, '')}`,
      format: 'esm',
      mainFields: [...DBFORK_BUNDLING.mainFields],
      banner: { js: DBFORK_BUNDLING.banner },
      alias: { ...DBFORK_BUNDLE_ALIASES },
      // Shared chunks, no minification or source maps: none of them can make an entry fail to
      // bundle, and together they take this from ~10 s to ~1 s.
      splitting: true,
      minify: false,
      sourcemap: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    for (const entry of ENTRIES) {
      expect(existsSync(join(outdir, 'all', entry.replace(/\.ts$/, '.mjs'))), entry).toBe(true);
    }
    console.info(`esbuild of all ${ENTRIES.length} handlers took ${Date.now() - started} ms`);
  }, 60_000);

  it('gives every handler the SDK clients of the services it declares, and no other', async () => {
    // Which client packages each service is built from (what a reviewer checks runtime-parts.ts against).
    const CLIENTS_OF: Record<ServiceName, string[]> = {
      store: ['client-dynamodb'],
      listing: ['client-dynamodb'],
      waits: ['client-dynamodb'],
      // DocumentDB's API is the RDS API (lambdas/core/engines/docdb-cluster.ts).
      engines: ['client-rds'],
      orderable: ['client-rds'],
      events: ['client-eventbridge'],
      dns: ['client-route-53'],
      secrets: ['client-secrets-manager'],
      schedules: ['client-scheduler'],
      workflows: ['client-sfn'],
      tasks: ['client-sfn'],
      metrics: [],
      managedDatabases: ['client-rds'],
      managedLeftovers: ['client-secrets-manager', 'client-scheduler'],
      hooks: ['client-lambda'],
      aws: [
        'client-dynamodb',
        'client-rds',
        'client-eventbridge',
        'client-route-53',
        'client-secrets-manager',
        'client-scheduler',
        'client-sfn',
      ],
    };
    const declared: Record<string, readonly ServiceName[]> = {
      ...Object.fromEntries(
        Object.values(STEPS).map((step) => [`lambdas/steps/${step.name}`, step.services]),
      ),
      ...Object.fromEntries(
        Object.entries(API_FUNCTIONS).map(([name, fn]) => [
          `lambdas/api/functions/${name}`,
          fn.parts.map((part) => part.service),
        ]),
      ),
      'lambdas/events/rds-event': RDS_EVENT_PARTS.map((part) => part.service),
      'lambdas/events/reconciler': RECONCILER_PARTS.map((part) => part.service),
      'lambdas/events/orphan-databases': ORPHAN_DATABASES_PARTS.map((part) => part.service),
      'lambdas/events/orphan-leftovers': ORPHAN_LEFTOVERS_PARTS.map((part) => part.service),
      'lambdas/events/pool-keeper': POOL_KEEPER_PARTS.map((part) => part.service),
      'lambdas/commands/fork-commands': COMMAND_PARTS.map((part) => part.service),
      'lambdas/events/expiry-warning': EXPIRY_WARNING_PARTS.map((part) => part.service),
    };
    const result = await build({
      entryPoints: Object.fromEntries(
        Object.keys(declared).map((entry) => [entry, handlerEntry(`${entry}.ts`)]),
      ),
      outdir: join(outdir, 'apart'),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: [...DBFORK_BUNDLING.mainFields],
      alias: { ...DBFORK_BUNDLE_ALIASES },
      // Each entry on its own (no shared chunks), tree-shaken as the stack bundles it.
      minify: false,
      sourcemap: false,
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const bundled: Record<string, string[]> = {};
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      const entry = output.entryPoint?.replace(/\.ts$/, '');
      if (!entry) continue;
      const clients = new Set<string>();
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const client = /@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input)?.[1];
        if (client && bytesInOutput > 0) clients.add(client);
      }
      bundled[entry] = [...clients].sort();
      expect(file).toContain('.mjs');
    }
    const expected = Object.fromEntries(
      Object.entries(declared).map(([entry, services]) => [
        entry,
        [...new Set(services.flatMap((service) => CLIENTS_OF[service]))].sort(),
      ]),
    );
    expect(bundled).toEqual(expected);
    // And the runtime really is narrow: the step that only marks a fork ready has two clients.
    expect(bundled['lambdas/steps/mark-ready']).toEqual(['client-dynamodb', 'client-eventbridge']);
    expect(bundled['lambdas/events/expiry-warning']).toEqual(['client-dynamodb', 'client-eventbridge']);
    // The refresh's own steps: each only what it touches (the secret's labels, the CNAME, the record).
    expect(bundled['lambdas/steps/switch-secret']).toEqual(['client-dynamodb', 'client-secrets-manager']);
    expect(bundled['lambdas/steps/undo-refresh']).toEqual([
      'client-dynamodb',
      'client-route-53',
      'client-secrets-manager',
    ]);
    expect(bundled['lambdas/steps/take-over']).toEqual(['client-dynamodb']);
    // run-hook, in CreateFork and RefreshFork alike: the record and the Lambda client of the hook.
    expect(bundled['lambdas/steps/run-hook']).toEqual(['client-dynamodb', 'client-lambda']);
    // Every handler the stack deploys has its parts declared above.
    expect(Object.keys(declared).sort()).toEqual(ENTRIES.map((entry) => entry.replace(/\.ts$/, '')).sort());
  }, 60_000);

  it('bundles event-stream support out only while no call dbfork makes streams', () => {
    // The SDK marks an event stream (or streaming blob) with the `streaming` trait in the client's
    // schemas. Of the clients the Lambdas use, only Lambda's has such an operation
    // (InvokeWithResponseStream); post-restore hooks use the plain Invoke.
    const streams = (client: string): boolean => {
      const dir = join(PROJECT_ROOT, 'node_modules/@aws-sdk', client, 'dist-es/schemas');
      return readdirSync(dir).some((file) => /["']streaming["']/.test(readFileSync(join(dir, file), 'utf8')));
    };
    const used = sdkPackagesUsed().filter((pkg) => pkg.startsWith('@aws-sdk/client-'));
    expect(used).toEqual(
      expect.arrayContaining(['@aws-sdk/client-rds', '@aws-sdk/client-dynamodb', '@aws-sdk/client-lambda']),
    );
    expect(used.filter((pkg) => streams(pkg.replace('@aws-sdk/', '')))).toEqual(['@aws-sdk/client-lambda']);
    const sources = readdirSync(join(PROJECT_ROOT, 'lambdas'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(PROJECT_ROOT, 'lambdas', file), 'utf8'));
    expect(sources.filter((code) => /WithResponseStreamCommand/.test(code))).toEqual([]);
  });

  it('builds a Lambda client in a bundle without event-stream support (it resolves its marshaller at construction)', async () => {
    const entry = join(outdir, 'lambda-client-probe.ts');
    writeFileSync(
      entry,
      `import { lambdaClient } from ${JSON.stringify(handlerEntry('lambdas/core/clients.ts'))};
const client = lambdaClient({ region: 'us-east-1' });
console.log(typeof client.send, client.config.maxAttempts === undefined ? 'default' : await client.config.maxAttempts());`,
    );
    await build({
      entryPoints: [entry],
      outfile: join(outdir, 'lambda-client-probe.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: [...DBFORK_BUNDLING.mainFields],
      banner: { js: DBFORK_BUNDLING.banner },
      alias: { ...DBFORK_BUNDLE_ALIASES },
      logLevel: 'silent',
    });
    const probe = spawnSync(process.execPath, [join(outdir, 'lambda-client-probe.mjs')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(probe.stderr).toBe('');
    // One attempt per Invoke: a retried invoke may run a hook twice (lambdas/core/clients.ts).
    expect(probe.stdout.trim()).toBe('function 1');
  }, 60_000);
});
