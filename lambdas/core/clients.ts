import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './dynamo-client.js';

/**
 * The one place SDK clients are built. In Lambda: region and credentials from the default chain.
 * Offline and in tests: `endpoint` points every client at the emulator (moto routes by the SigV4
 * credential scope, so one endpoint serves every service) with static dummy credentials.
 */
export interface ClientOptions {
  region?: string;
  endpoint?: string;
}

export interface AwsClients {
  /** RDS, Aurora and Amazon DocumentDB (whose management API is the RDS API). */
  rds: RDSClient;
  dynamo: DynamoDBDocumentClient;
  secrets: SecretsManagerClient;
  route53: Route53Client;
  scheduler: SchedulerClient;
  sfn: SFNClient;
  events: EventBridgeClient;
  /** Post-restore hooks only (lambdas/core/hook-invoker.ts). */
  lambda: LambdaClient;
}

export const OFFLINE_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export function clientConfig(options: ClientOptions = {}) {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!options.endpoint) return { region };
  return { region, endpoint: options.endpoint, credentials: OFFLINE_CREDENTIALS, maxAttempts: 2 };
}

export type ClientConfig = ReturnType<typeof clientConfig>;

/**
 * One factory per client, each its own export: a Lambda bundle holds only the clients its handler
 * builds (lambdas/core/runtime-parts.ts), not all of them.
 */
export type ClientFactory<K extends keyof AwsClients> = (config: ClientConfig) => AwsClients[K];

export const rdsClient: ClientFactory<'rds'> = (config) => new RDSClient(config);
export { dynamoClient };
export const secretsClient: ClientFactory<'secrets'> = (config) => new SecretsManagerClient(config);
export const route53Client: ClientFactory<'route53'> = (config) => new Route53Client(config);
export const schedulerClient: ClientFactory<'scheduler'> = (config) => new SchedulerClient(config);
export const sfnClient: ClientFactory<'sfn'> = (config) => new SFNClient(config);
export const eventsClient: ClientFactory<'events'> = (config) => new EventBridgeClient(config);
/**
 * One attempt per Invoke: a synchronous invoke that timed out or met a 5xx may still have run the
 * function, and a post-restore hook (a masking job) must not run twice. A throttled invoke, which
 * never ran, is retried by the workflow instead (lambdas/core/post-restore-hook.ts). No request
 * timeout either: the hook's own timeout aborts the wait.
 */
export const lambdaClient: ClientFactory<'lambda'> = (config) =>
  new LambdaClient({ ...config, maxAttempts: 1 });

/** Every client (the offline runtime, tests and the reconciler's sweeps). */
export function createClients(options: ClientOptions = {}): AwsClients {
  const config = clientConfig(options);
  return {
    rds: rdsClient(config),
    dynamo: dynamoClient(config),
    secrets: secretsClient(config),
    route53: route53Client(config),
    scheduler: schedulerClient(config),
    sfn: sfnClient(config),
    events: eventsClient(config),
    lambda: lambdaClient(config),
  };
}
