/**
 * The dbfork HTTP API v1 as the CLI calls it: JSON in and out, signed or not (signing.ts),
 * every error answer turned into an ApiError carrying the API's own message.
 */
import { ApiError, CliError, type ErrorDetail } from './errors.js';
import { isLoopback, prepareRequest, type SigningOptions } from './signing.js';

/** A post-restore hook's run and how it went. */
export interface ForkHookRun {
  name: string;
  status: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

/** The public fork object (DESIGN.md §1), as far as the CLI reads it. */
export interface Fork {
  id: string;
  name: string;
  source?: { id: string; arn?: string; engine?: string; kind?: string };
  restore: {
    requested: { type: string; snapshotId?: string; time?: string; latest?: boolean };
    resolved?: { snapshotId?: string; restoreTime?: string; useLatestRestorableTime?: boolean };
    /** Set when the fork took a ready member of its source's warm pool. */
    pool?: { source: string; memberReadyAt?: string; claimedAt: string };
  };
  status: 'creating' | 'ready' | 'failed' | 'deleting' | 'deleted';
  step: string;
  progress: number;
  owner: string;
  createdAt: string;
  updatedAt?: string;
  readyAt?: string;
  deletedAt?: string;
  expiresAt: string;
  /** When `Fork Expiring` is published for this expiry (once the expiry is scheduled). */
  expiryWarningAt?: string;
  /** When `Fork Expiring` was published. */
  expiryWarningSentAt?: string;
  endpoint?: { host: string; port: number };
  dnsName?: string;
  secretArn?: string;
  tags?: Record<string, string>;
  overrides?: Record<string, unknown>;
  history?: { at: string; step: string; status: string; message: string }[];
  error?: { code: string; message: string };
  lineage?: {
    sourceId: string;
    sourceArn?: string;
    snapshotId?: string;
    restoreTime?: string;
    refreshes?: { at: string; databaseId: string; replaced: string; requestedBy: string }[];
  };
  /** The database the secret and DNS name point at (the fork id until a refresh replaced it). */
  databaseId?: string;
  /** The latest refresh (lambdas/core/fork.ts `ForkRefresh`). */
  refresh?: {
    state: 'running' | 'switching' | 'retiring' | 'succeeded' | 'failed';
    attempt: number;
    step: string;
    startedAt: string;
    finishedAt?: string;
    databaseId: string;
    previousDatabaseId: string;
    restore: Fork['restore'];
    /** The post-restore hook's run on the new database. */
    hook?: ForkHookRun;
    error?: { code: string; message: string };
  };
  refreshSchedule?: string;
  /** The post-restore hook the fork runs (absent: none). */
  hook?: ForkHookRun;
}

export interface Source {
  id: string;
  arn: string;
  engine: string;
  kind: string;
  status: string;
  allowed: boolean;
  restorableWindow: { earliestRestorableTime: string | null; latestRestorableTime: string | null };
}

export interface Backups {
  source: { id: string; arn: string; engine: string; kind: string; status: string };
  restorableWindow: { earliestRestorableTime: string | null; latestRestorableTime: string | null };
  backups: {
    id: string;
    arn?: string;
    type: string;
    status: string;
    createdAt: string | null;
    engine?: string;
  }[];
}

/** One warm pool as GET /v1/pools shows it. */
export interface Pool {
  source: string;
  /** false: no longer configured, its members being drained. */
  configured: boolean;
  size: number;
  ready: number;
  warming: number;
  leaving: number;
  oldestMemberAgeMinutes: number | null;
  maxAgeHours: number | null;
  instanceClass: string | null;
  cost: { instanceClass: string | null; members: number; description: string };
}

export interface ListForksQuery {
  source?: string | undefined;
  status?: string | undefined;
  owner?: string | undefined;
  limit?: number | undefined;
  nextToken?: string | undefined;
}

export interface ApiClientOptions extends SigningOptions {
  /** Base URL: `http://127.0.0.1:3000` offline, the stack's ApiUrl (`https://…/prod/`) on AWS. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per request. @default 30_000 */
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

export class ApiClient {
  readonly baseUrl: URL;

  constructor(private readonly options: ApiClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    } catch {
      throw new CliError(`"${options.baseUrl}" is not a URL`, {
        hint: 'give the API base URL, e.g. --api http://127.0.0.1:3000',
        exitCode: 2,
      });
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new CliError(`"${options.baseUrl}" is not an http(s) URL`, { exitCode: 2 });
    }
    this.baseUrl = base;
  }

  /** Sends one request; resolves with the parsed JSON body of a 2xx answer, rejects with ApiError otherwise. */
  async request<T>(
    method: string,
    path: string,
    init: { query?: Query; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl);
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const prepared = await prepareRequest(
      {
        method,
        url,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        body,
      },
      this.options,
    );
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(prepared.url, {
        method,
        headers: prepared.headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw unreachable(url, error);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return parsed as T;
    throw toApiError(response.status, parsed, text);
  }

  createFork(body: Record<string, unknown>, idempotencyKey?: string): Promise<Fork> {
    return this.request('POST', '/v1/forks', {
      body,
      ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
    });
  }

  listForks(query: ListForksQuery = {}): Promise<{ forks: Fork[]; nextToken?: string }> {
    return this.request('GET', '/v1/forks', { query: { ...query } });
  }

  getFork(ref: string): Promise<Fork> {
    return this.request('GET', `/v1/forks/${encodeURIComponent(ref)}`);
  }

  patchFork(ref: string, body: Record<string, unknown>): Promise<Fork> {
    return this.request('PATCH', `/v1/forks/${encodeURIComponent(ref)}`, { body });
  }

  deleteFork(ref: string): Promise<Fork> {
    return this.request('DELETE', `/v1/forks/${encodeURIComponent(ref)}`);
  }

  refreshFork(ref: string, body: Record<string, unknown>): Promise<Fork> {
    return this.request('POST', `/v1/forks/${encodeURIComponent(ref)}/refresh`, { body });
  }

  listSources(): Promise<{ sources: Source[] }> {
    return this.request('GET', '/v1/sources');
  }

  listBackups(source: string): Promise<Backups> {
    return this.request('GET', `/v1/sources/${encodeURIComponent(source)}/backups`);
  }

  listPools(): Promise<{ pools: Pool[] }> {
    return this.request('GET', '/v1/pools');
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toApiError(status: number, body: unknown, text: string): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
    ?.error;
  if (error && typeof error.message === 'string') {
    const details = Array.isArray(error.details) ? (error.details as ErrorDetail[]) : [];
    return new ApiError(
      status,
      typeof error.code === 'string' ? error.code : `http_${status}`,
      error.message,
      details,
    );
  }
  // API Gateway's own answers (auth, throttling) are `{"message": "..."}`.
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') {
    const auth = status === 403 || status === 401;
    return new ApiError(status, auth ? 'aws_auth' : `http_${status}`, `${message} (HTTP ${status})`);
  }
  const snippet = text.trim().slice(0, 200);
  return new ApiError(
    status,
    `http_${status}`,
    `the API answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`,
  );
}

function unreachable(url: URL, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const name = (error as { name?: string }).name;
  const base = `${url.protocol}//${url.host}`;
  if (name === 'TimeoutError') {
    return new CliError(`the dbfork API at ${base} did not answer in time`, {
      hint: 'retry in a moment',
      cause: error,
    });
  }
  const why =
    cause?.code === 'ECONNREFUSED' ? 'connection refused' : (cause?.message ?? (error as Error).message);
  return new CliError(`cannot reach the dbfork API at ${base}: ${why}`, {
    hint: isLoopback(url)
      ? 'is `npm run local` running? It prints the URL to use (default http://127.0.0.1:3000)'
      : 'check --api or DBFORK_API_URL, and your network',
    cause: error,
  });
}
