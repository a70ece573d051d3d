/**
 * The offline runtime the bench measures: `startOffline` (the real API handler behind the local
 * HTTP server, the synthesized workflows in-process) on a free port, against the bench's own
 * emulator, reset and seeded with one RDS PostgreSQL source before each figure.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { clientConfig } from '../lambdas/core/clients.js';
import type { ForkRecord, PoolOrigin } from '../lambdas/core/fork.js';
import type { PoolConfig } from '../lambdas/core/pool-config.js';
import { type EmulatorConfigPatch, setEmulatorConfigAt } from '../local/emulator-config.js';
import type { LocalExecution } from '../local/local-workflows.js';
import type { MotoServer } from '../local/moto-server.js';
import { type OfflineMode, startOffline } from '../local/offline.js';
import { OFFLINE_REGION, type OfflineQuotas } from '../local/offline-env.js';
import { seedRdsSource } from '../local/seed.js';
import { PRINCIPAL_HEADER } from '../local/server.js';
import { type CfnTemplate, synthesizeTemplate } from '../local/synth.js';

export const BENCH_SOURCE = 'orders-bench';

let synthesized: CfnTemplate | undefined;
/** The stack's template, synthesized once per run (about a second of CPU each time). */
export function stackTemplate(): CfnTemplate {
  synthesized ??= synthesizeTemplate();
  return synthesized;
}

export interface BenchOffline {
  mode: OfflineMode;
  sourceId: string;
  stop(): Promise<void>;
}

export interface BenchOfflineOptions {
  quotas?: OfflineQuotas;
  /** Milliseconds each Wait state waits. @default the offline mode's */
  waitMs?: number;
  template?: CfnTemplate;
  /** Warm pools, filled as the runtime starts. @default none */
  pools?: readonly PoolConfig[];
  /** Milliseconds between reconciler runs. @default 0: only on demand */
  reconcileMs?: number;
  /** Milliseconds `stop()` waits for running workflows. @default 30000 */
  drainMs?: number;
  /** Emulator settings from the start on (after the source is seeded, before any fork or pool member). */
  emulator?: EmulatorConfigPatch;
}

export async function startBenchOffline(
  moto: MotoServer,
  options: BenchOfflineOptions,
): Promise<BenchOffline> {
  // Forgets every resource and puts the emulator's config back to its launch values.
  await moto.reset();
  const rds = new RDSClient(clientConfig({ endpoint: moto.endpoint, region: OFFLINE_REGION }));
  try {
    await seedRdsSource(moto.endpoint, rds, { id: BENCH_SOURCE, multiAz: false });
  } finally {
    rds.destroy();
  }
  if (options.emulator) await setEmulatorConfigAt(moto.endpoint, options.emulator);
  const mode = await startOffline({
    port: 0,
    awsEndpoint: moto.endpoint,
    allowedSources: [BENCH_SOURCE],
    ...(options.quotas ? { quotas: options.quotas } : {}),
    ...(options.pools ? { pools: options.pools } : {}),
    logLevel: 'SILENT',
    ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    reconcileMs: options.reconcileMs ?? 0,
    drainMs: options.drainMs ?? 30_000,
    template: options.template ?? stackTemplate(),
  });
  return { mode, sourceId: BENCH_SOURCE, stop: () => mode.stop() };
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  /** From sending the request to the whole answer read. */
  ms: number;
}

export interface ForkAnswer {
  id?: string;
  status?: ForkRecord['status'];
  readyAt?: string;
  restore?: { pool?: PoolOrigin };
  error?: { code: string; message: string };
}

export async function callApi<T>(
  apiUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; principal?: string } = {},
): Promise<ApiAnswer<T>> {
  const started = performance.now();
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.principal ? { [PRINCIPAL_HEADER]: options.principal } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const body = (await response.json()) as T;
  return { status: response.status, body, ms: performance.now() - started };
}

export const benchPrincipal = (n: number) => `arn:aws:iam::123456789012:user/bench-${n}`;

/** The create workflow the API started for a fork. */
export function createExecution(mode: OfflineMode, forkId: string): LocalExecution {
  const execution = mode.workflows.list(forkId).find((e) => e.kind === 'create');
  if (!execution) throw new Error(`no create workflow was started for ${forkId}`);
  return execution;
}
