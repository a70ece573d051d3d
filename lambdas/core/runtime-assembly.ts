import { Logger } from '@aws-lambda-powertools/logger';
import { type AwsClients, clientConfig } from './clients.js';
import { loadRuntimeEnv } from './env.js';
import type { PartContext, RuntimePart } from './runtime-parts.js';
import type { RuntimeOverrides, RuntimeWith, ServiceName } from './runtime-types.js';
import { capture } from './tracing.js';

/**
 * Builds a runtime from the parts a handler declares: its env (read from the process unless given),
 * a logger, a clock, and each service, taken from `overrides` when there or built by its part. The
 * parts share one client per service.
 */
export function assembleRuntime<S extends ServiceName>(
  parts: readonly RuntimePart<S>[],
  overrides: RuntimeOverrides = {},
): RuntimeWith<S> {
  const env = overrides.env ?? loadRuntimeEnv();
  const now = overrides.now ?? (() => new Date());
  const logger = overrides.logger ?? new Logger({ serviceName: 'dbfork' });
  const config = clientConfig(env.awsEndpoint ? { endpoint: env.awsEndpoint } : {});
  const clients: Partial<AwsClients> = { ...overrides.aws };
  const ctx: PartContext = {
    env,
    now,
    logger,
    client: (key, factory) => {
      // Built here, so captured for X-Ray here (tracing.ts); prebuilt clients (tests) are left alone.
      const built = clients[key] ?? capture(factory(config));
      clients[key] = built;
      return built;
    },
  };
  const services: Partial<Record<ServiceName, unknown>> = {};
  for (const part of parts) services[part.service] = overrides[part.service] ?? part.build(ctx);
  return { env, now, logger, ...services } as RuntimeWith<S>;
}

/**
 * A Lambda entry point's runtime, built on its first invocation (not at import, so importing a
 * handler reads no env) and kept for the life of the process.
 */
export function lazyRuntime<S extends ServiceName>(parts: readonly RuntimePart<S>[]): () => RuntimeWith<S> {
  let built: RuntimeWith<S> | undefined;
  return () => {
    built ??= assembleRuntime(parts);
    return built;
  };
}
