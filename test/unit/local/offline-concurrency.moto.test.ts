/**
 * The offline API (local/offline.ts: the real api handler behind local/server.ts, the workflows
 * in-process) under many concurrent creates against one emulator: quotas hold exactly, no request
 * fails on the emulator, and every accepted fork has one record and one workflow.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OfflineMode, startOffline } from '../../../local/offline.js';
import { OFFLINE_TABLE } from '../../../local/offline-env.js';
import { seedRdsSource } from '../../../local/seed.js';
import { PRINCIPAL_HEADER } from '../../../local/server.js';
import { motoClientConfig, motoEndpoint, resetMoto } from '../../support/moto.js';

const N = 60;
const K = 7;
const SOURCE = 'orders-prod';

interface Answer {
  status: number;
  body: { id?: string; error?: { code: string; message: string } };
}

const principal = (n: number) => `arn:aws:iam::123456789012:user/racer-${n}`;

async function postFork(mode: OfflineMode, n: number): Promise<Answer> {
  const response = await fetch(`${mode.apiUrl}/v1/forks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: principal(n) },
    body: JSON.stringify({ source: SOURCE, name: `race-${n}`, ttlHours: 1 }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

let mode: OfflineMode | undefined;

beforeEach(async () => {
  await resetMoto();
  const rds = new RDSClient(motoClientConfig());
  await seedRdsSource(motoEndpoint(), rds, { id: SOURCE });
  rds.destroy();
});

afterEach(async () => {
  await mode?.stop();
  mode = undefined;
});

describe('offline API under concurrent creates', () => {
  it(`accepts exactly ${K} of ${N} concurrent creates, answers 429 naming the quota to the others, and loses or duplicates no fork`, async () => {
    mode = await startOffline({
      port: 0,
      awsEndpoint: motoEndpoint(),
      allowedSources: [SOURCE],
      quotas: { maxLiveForksPerSource: K, maxLiveForksPerOwner: N },
      logLevel: 'SILENT',
      waitMs: 20,
      reconcileMs: 0,
    });
    const offline = mode;

    const answers = await Promise.all(Array.from({ length: N }, (_, n) => postFork(offline, n)));

    const byStatus = (status: number) => answers.filter((a) => a.status === status);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(byStatus(202).length).toBe(K);
    expect(byStatus(429).length).toBe(N - K);
    for (const refused of byStatus(429)) {
      expect(refused.body.error?.code).toBe('quota_exceeded');
      expect(refused.body.error?.message).toContain('maxLiveForksPerSource');
    }
    const accepted = byStatus(202).map((a) => String(a.body.id));
    expect(new Set(accepted).size).toBe(K);

    // Records, responses and started workflows name the same forks, once each.
    await offline.workflows.idle();
    const { Items = [] } = await offline.runtime.aws.dynamo.send(
      new ScanCommand({ TableName: OFFLINE_TABLE, ConsistentRead: true }),
    );
    const records = Items.filter((item) => item.sk === 'FORK');
    expect(records.map((r) => String(r.id)).sort()).toEqual([...accepted].sort());
    const creates = offline.workflows.list().filter((e) => e.kind === 'create');
    expect(creates.map((e) => e.forkId).sort()).toEqual([...accepted].sort());
    expect(records.map((r) => r.status)).toEqual(Array(K).fill('ready'));
    expect(Items.find((item) => item.pk === `QUOTA#SOURCE#${SOURCE}`)?.live).toBe(K);
    expect(Items.filter((item) => item.sk === 'NAME').length).toBe(K);
  });
});
