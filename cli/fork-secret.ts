/**
 * Reads a fork's secret with the caller's own credentials: from Secrets Manager on AWS (the
 * default credential chain, in the secret's region), or offline from the emulator the local API
 * names in its health check — the same GetSecretValue call either way.
 */
import { OFFLINE_CREDENTIALS } from '../lambdas/core/clients.js';
import type { ForkSecret } from './connection.js';
import { CliError } from './errors.js';
import type { ApiClient } from './http.js';
import { isLoopback } from './signing.js';

export type SecretReader = (secretArn: string) => Promise<ForkSecret>;

function regionOf(secretArn: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretArn)?.[1];
}

async function offlineEndpoint(api: ApiClient, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.DBFORK_AWS_ENDPOINT) return env.DBFORK_AWS_ENDPOINT;
  const health = await api.request<{ awsEndpoint?: string }>('GET', 'v1/health');
  if (!health.awsEndpoint) {
    throw new CliError('the offline API does not say where its emulator is', {
      hint: 'set DBFORK_AWS_ENDPOINT to the emulator URL `npm run local` prints',
    });
  }
  return health.awsEndpoint;
}

export async function secretReaderFor(api: ApiClient, env: NodeJS.ProcessEnv): Promise<SecretReader> {
  const endpoint = isLoopback(api.baseUrl) ? await offlineEndpoint(api, env) : undefined;
  return async (secretArn) => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const region = regionOf(secretArn);
    const client = new SecretsManagerClient({
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint, credentials: OFFLINE_CREDENTIALS } : {}),
    });
    try {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      return parseSecret(SecretString, secretArn);
    } catch (error) {
      if (error instanceof CliError) throw error;
      const name = error instanceof Error ? error.name : 'Error';
      throw new CliError(
        `could not read the fork's secret ${secretArn}: ${name}: ${String((error as Error)?.message ?? error)}`,
        {
          hint:
            name === 'AccessDeniedException'
              ? 'your AWS credentials need secretsmanager:GetSecretValue on it (and kms:Decrypt on its key)'
              : 'check your AWS credentials and region',
          cause: error,
        },
      );
    } finally {
      client.destroy();
    }
  };
}

function parseSecret(text: string | undefined, secretArn: string): ForkSecret {
  let value: Partial<ForkSecret> = {};
  try {
    value = JSON.parse(text ?? '') as Partial<ForkSecret>;
  } catch {
    // reported below
  }
  const { engine, host, port, username, password } = value;
  if (
    typeof engine !== 'string' ||
    typeof host !== 'string' ||
    typeof port !== 'number' ||
    typeof username !== 'string' ||
    typeof password !== 'string'
  ) {
    throw new CliError(
      `the secret ${secretArn} is not a dbfork database secret (engine, host, port, username, password)`,
    );
  }
  return {
    engine,
    host,
    port,
    username,
    password,
    ...(typeof value.dbname === 'string' ? { dbname: value.dbname } : {}),
    ...(typeof value.dnsName === 'string' ? { dnsName: value.dnsName } : {}),
  };
}
