import { beforeEach, describe, expect, it } from 'vitest';
import { resetMoto } from '../support/moto.js';
import { describeInstance, NOTHING_LEFT, secretValue, workflowHarness } from '../support/workflow-harness.js';

describe('RefreshFork for an RDS instance (moto)', () => {
  beforeEach(async () => {
    await resetMoto();
  });

  it('moves the name, secret and DNS to a new database, then deletes the old one', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', name: 'nightly' });
    expect(fork.status).toBe('ready');
    const before = await secretValue(h.clients, fork.secretArn ?? '');

    const { fork: refreshed, execution } = await h.refresh(fork.id);
    expect(execution.status, JSON.stringify(execution.error)).toBe('SUCCEEDED');
    expect(refreshed.refresh).toMatchObject({ state: 'succeeded', attempt: 1 });
    const after = await secretValue(h.clients, fork.secretArn ?? '');
    expect(after.host).not.toBe(before.host);
    expect(after.dbInstanceIdentifier).toBe(`${fork.id}-r1`);
    const instance = await describeInstance(h, `${fork.id}-r1`);
    expect(after.host).toBe(instance.Endpoint?.Address);
    await expect(describeInstance(h, fork.id)).rejects.toThrow();
    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });
});
