/**
 * Which dbfork API the CLI talks to: `--api`, else `DBFORK_API_URL`, else the `ApiUrl` output of
 * the deployed CloudFormation stack (`DbFork`, or `DBFORK_STACK_NAME`) read with the default
 * credential chain and region.
 */
import { CliError } from './errors.js';
import { ApiClient } from './http.js';

export const DEFAULT_STACK_NAME = 'DbFork';
export const API_URL_OUTPUT = 'ApiUrl';

export type StackOutputReader = (stackName: string, outputKey: string) => Promise<string | undefined>;

/** DescribeStacks through the CloudFormation client (loaded only when needed). */
export const readStackOutput: StackOutputReader = async (stackName, outputKey) => {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({});
  try {
    const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === outputKey)?.OutputValue;
  } finally {
    client.destroy();
  }
};

export async function resolveApiUrl(options: {
  api?: string | undefined;
  env?: NodeJS.ProcessEnv;
  readOutput?: StackOutputReader;
}): Promise<string> {
  const env = options.env ?? process.env;
  if (options.api) return options.api;
  if (env.DBFORK_API_URL) return env.DBFORK_API_URL;
  const stack = env.DBFORK_STACK_NAME || DEFAULT_STACK_NAME;
  const hint =
    'pass --api <url> or set DBFORK_API_URL (offline: the URL `npm run local` prints, http://127.0.0.1:3000 by default)';
  let url: string | undefined;
  try {
    url = await (options.readOutput ?? readStackOutput)(stack, API_URL_OUTPUT);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `no dbfork API given, and the ${API_URL_OUTPUT} output of stack ${stack} could not be read: ${why}`,
      {
        hint,
        cause: error,
      },
    );
  }
  if (!url)
    throw new CliError(`no dbfork API given, and stack ${stack} has no ${API_URL_OUTPUT} output`, { hint });
  return url;
}

/** The API client for these options: the URL resolved as above, requests signed with `env`'s credentials. */
export async function apiClientFor(
  options: { api?: string | undefined; principal?: string | undefined },
  env: NodeJS.ProcessEnv,
): Promise<ApiClient> {
  return new ApiClient({
    baseUrl: await resolveApiUrl({ api: options.api, env }),
    principal: options.principal ?? env.DBFORK_PRINCIPAL,
    env,
  });
}
