/**
 * Turns an API call into what `fetch` sends. Requests to AWS (https) are SigV4-signed for
 * API Gateway (service `execute-api`) with the default credential chain, as the stack's AWS_IAM
 * auth requires; requests to the offline mode (http on loopback) go unsigned and carry the
 * caller's principal in `X-Dbfork-Principal` instead.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { UsageError } from './errors.js';

export const PRINCIPAL_HEADER = 'x-dbfork-principal';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export type CredentialProvider = () => Promise<AwsCredentials>;

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface SigningOptions {
  /** The default chain (env, profile, SSO, instance role...) when not given. */
  credentials?: CredentialProvider;
  /** Region to sign for; by default the one in an execute-api host name, else AWS_REGION. */
  region?: string;
  /** Offline caller principal (sent only on unsigned requests). */
  principal?: string | undefined;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.');
}

/** https is AWS (or a custom domain in front of it) and is signed; plain http is the offline mode. */
export function needsSigning(url: URL): boolean {
  return url.protocol === 'https:';
}

/** `abc123.execute-api.eu-west-1.amazonaws.com` → `eu-west-1`. */
export function regionOfHost(hostname: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(hostname)?.[1];
}

let defaultChain: CredentialProvider | undefined;
async function defaultCredentials(): Promise<AwsCredentials> {
  if (!defaultChain) {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    defaultChain = fromNodeProviderChain();
  }
  return defaultChain();
}

function sha256Constructor() {
  // @smithy/hash-node's Hash takes the algorithm first; SignatureV4 constructs it with a secret only.
  return class Sha256 extends Hash {
    constructor(secret?: Parameters<typeof Hash.prototype.update>[0]) {
      super('sha256', secret);
    }
  };
}

/** Adds the SigV4 headers (https) or the principal header (http) to a request. */
export async function prepareRequest(
  request: OutgoingRequest,
  options: SigningOptions = {},
): Promise<OutgoingRequest> {
  const headers: Record<string, string> = { ...request.headers };
  if (!needsSigning(request.url)) {
    if (options.principal) headers[PRINCIPAL_HEADER] = options.principal;
    return { ...request, headers };
  }
  const env = options.env ?? process.env;
  const region =
    options.region ?? regionOfHost(request.url.hostname) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new UsageError(`cannot tell which AWS region ${request.url.host} is in`, {
      hint: 'set AWS_REGION',
    });
  }
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: options.credentials ?? defaultCredentials,
    sha256: sha256Constructor(),
  });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of request.url.searchParams) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: request.url.pathname,
      query,
      headers: { ...headers, host: request.url.host },
      body: request.body,
    },
    options.now ? { signingDate: options.now() } : {},
  );
  const out: Record<string, string> = {};
  // fetch sets Host itself (it refuses a host header).
  for (const [name, value] of Object.entries(signed.headers))
    if (name.toLowerCase() !== 'host') out[name] = value;
  return { ...request, headers: out };
}
