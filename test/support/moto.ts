/**
 * Helpers for tests of the `moto` project (files under test/workflow, test/e2e, and any
 * `*.moto.test.ts`), which share one moto server started by moto-global-setup.ts.
 *
 *   beforeEach(resetMoto);                         // moto state is shared: start each test empty
 *   const rds = new RDSClient(motoClientConfig());
 */
import { inject } from 'vitest';
import { resetMotoAt } from '../../local/moto-server.js';

export const MOTO_REGION = 'us-east-1';
export const MOTO_ACCOUNT_ID = '123456789012';
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** The shared moto server's endpoint, e.g. `http://127.0.0.1:40123`. */
export function motoEndpoint(): string {
  const endpoint = inject('motoEndpoint');
  if (!endpoint) {
    throw new Error(
      'no moto server: this test must run in the vitest "moto" project (test/workflow, test/e2e or *.moto.test.ts)',
    );
  }
  return endpoint;
}

/** Forgets every resource of every service on the shared moto server. */
export function resetMoto(): Promise<void> {
  return resetMotoAt(motoEndpoint());
}

/** Config for any `@aws-sdk/client-*` client: moto endpoint, us-east-1, dummy credentials. */
export function motoClientConfig(): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint: motoEndpoint(), region: MOTO_REGION, credentials: { ...MOTO_CREDENTIALS } };
}

/** One AWS call moto received while recording. */
export interface RecordedMotoCall {
  /** Signing name from the SigV4 scope: `rds` (also DocumentDB), `route53`, `secretsmanager`, ... */
  readonly service: string;
  /** Query-protocol `Action`, or the JSON protocol's `X-Amz-Target` operation. */
  readonly action: string;
  /** Query parameters (e.g. `MasterUserPassword`) or the parsed JSON body. */
  readonly params: Record<string, unknown>;
}

/**
 * Starts moto's request recorder (what no API shows, e.g. the password passed to
 * ModifyDBInstance, can be read from the recording). Stop it with {@link stopMotoRecording}.
 */
export async function startMotoRecording(): Promise<void> {
  await motoApi('recorder/reset-recording');
  await motoApi('recorder/start-recording');
}

/** Stops recording and returns the calls received since {@link startMotoRecording}. */
export async function stopMotoRecording(): Promise<RecordedMotoCall[]> {
  await motoApi('recorder/stop-recording');
  const response = await fetch(`${motoEndpoint()}/moto-api/recorder/download-recording`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => decodeRecordedCall(JSON.parse(line) as RawRecording));
}

interface RawRecording {
  headers?: Record<string, string>;
  body?: string | null;
  body_encoded?: boolean;
}

function decodeRecordedCall(raw: RawRecording): RecordedMotoCall {
  const headers = raw.headers ?? {};
  const service =
    /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(headers.Authorization ?? '')?.[1] ?? 'unknown';
  const body = raw.body
    ? raw.body_encoded
      ? Buffer.from(raw.body, 'base64').toString('utf8')
      : raw.body
    : '';
  const target = headers['X-Amz-Target'];
  if (target !== undefined) {
    return { service, action: target.split('.').pop() ?? target, params: body ? JSON.parse(body) : {} };
  }
  const params = Object.fromEntries(new URLSearchParams(body));
  return { service, action: String(params.Action ?? 'unknown'), params };
}

async function motoApi(path: string): Promise<void> {
  const response = await fetch(`${motoEndpoint()}/moto-api/${path}`, { method: 'POST' });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`moto-api/${path} failed: HTTP ${response.status}`);
}
