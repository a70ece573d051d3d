import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, type ILayerVersion, LayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';

/** Repository root (this file lives in `lib/`). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Lambda runtime of every dbfork function. */
export const DBFORK_RUNTIME = Runtime.NODEJS_24_X;

/**
 * ESM bundles still contain CommonJS dependencies that call `require`; esbuild's shim needs a real
 * `require` in module scope. The alias avoids clashing with a bundled `createRequire` import.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __dbforkCreateRequire } from 'node:module'; const require = __dbforkCreateRequire(import.meta.url);";

/** The esbuild settings of every dbfork bundle (NodejsFunction maps them to esbuild flags). */
export const DBFORK_BUNDLING = {
  format: OutputFormat.ESM,
  // Prefer ESM builds of dependencies so they tree-shake.
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // Bundle the AWS SDK too: pinned versions, tree-shaken, no dependency on the runtime's copy.
  // Powertools (Logger, Metrics, Tracer and its X-Ray SDK) comes from AWS's own Lambda layer of the
  // exact version in package.json (powertoolsLayer below), as Powertools documents for bundlers.
  externalModules: ['@aws-lambda-powertools/*'],
} as const;

/** The Powertools version every dbfork package pins (all the same, exact: the layer must match it). */
export function powertoolsVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const versions = new Set(
    Object.entries(pkg.dependencies)
      .filter(([name]) => name.startsWith('@aws-lambda-powertools/'))
      .map(([, version]) => version),
  );
  const [version] = versions;
  if (versions.size !== 1 || !version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(
      `package.json must pin every @aws-lambda-powertools package to one exact version (found ${[...versions].join(', ')})`,
    );
  }
  return version;
}

/**
 * Where AWS publishes the ARN of its Powertools for AWS Lambda (TypeScript) layer of a version, in
 * every commercial region ("Lambda layers", Powertools for AWS Lambda (TypeScript) documentation:
 * "Lookup Layer ARN via AWS SSM Parameter Store").
 */
export const powertoolsLayerParameter = (version: string) =>
  `/aws/service/powertools/typescript/generic/all/${version}`;

const LAYER_ID = 'PowertoolsLayer';

/** The stack's one reference to AWS's Powertools layer, its ARN resolved from SSM at deploy time. */
export function powertoolsLayer(scope: Construct): ILayerVersion {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LAYER_ID) as ILayerVersion | undefined;
  if (existing) return existing;
  const arn = ssm.StringParameter.valueForStringParameter(
    stack,
    powertoolsLayerParameter(powertoolsVersion()),
  );
  return LayerVersion.fromLayerVersionArn(stack, LAYER_ID, arn);
}

/** Absolute path of a handler module, e.g. `handlerEntry('lambdas/steps/restore.ts')`. */
export function handlerEntry(relativePath: string): string {
  return join(PROJECT_ROOT, relativePath);
}

/**
 * Modules replaced in every Lambda bundle: the SDK's default credential chain by an environment-only
 * provider, its lazily loaded event-stream support by a stub that refuses, and the LRU cache of the
 * DynamoDB client's endpoint discovery by a smaller one that behaves the same (each file says why).
 */
export const DBFORK_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': handlerEntry('lambdas/core/env-credentials.ts'),
  '@smithy/core/event-streams': handlerEntry('lambdas/core/no-event-streams.ts'),
  'mnemonist/lru-cache': handlerEntry('lambdas/core/lru-cache.ts'),
};

/** The aliases as NodejsFunction's esbuild arguments (`--alias:<module>=<path>`). */
function aliasArgs(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DBFORK_BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to]),
  );
}

export interface DbForkFunctionProps {
  /** Path of the TypeScript module exporting `handler` (absolute, or relative to the repository root). */
  readonly entry: string;
  /** One-line description shown in the Lambda console. @default - no description */
  readonly description?: string;
  /** Memory in MB. @default 256 */
  readonly memorySize?: number;
  /** Maximum run time of one invocation. @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** Retention of the function's log group. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Environment variables in addition to `POWERTOOLS_SERVICE_NAME`. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The one NodejsFunction flavour of dbfork: Node.js 24 on ARM64, minified ESM bundle (`.mjs`) with
 * source maps, Powertools from AWS's layer, explicit memory and timeout, X-Ray active tracing
 * (Powertools Tracer in the handlers, lambdas/core/tracing.ts), and its own log group with a
 * retention period. Each function gets its own role (no AWS managed policy) that may only write to
 * its own log group; everything else is granted in `lib/permissions.ts`.
 */
export class DbForkFunction extends NodejsFunction {
  /** The function's execution role (its log group is `this.logGroup`). */
  override readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DbForkFunctionProps) {
    // Created beside the function (not as children) because they must exist before super().
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the dbfork ${id} function`,
    });
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    super(scope, id, {
      entry: isAbsolute(props.entry) ? props.entry : handlerEntry(props.entry),
      handler: 'handler',
      description: props.description,
      runtime: DBFORK_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      layers: [powertoolsLayer(scope)],
      role,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'dbfork',
        ...props.environment,
      },
      bundling: {
        ...DBFORK_BUNDLING,
        mainFields: [...DBFORK_BUNDLING.mainFields],
        externalModules: [...DBFORK_BUNDLING.externalModules],
        esbuildArgs: aliasArgs(),
      },
    });

    this.role = role;
    logGroup.grantWrite(role);
  }
}
