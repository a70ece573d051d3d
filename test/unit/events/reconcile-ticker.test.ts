import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { startReconcileTicker } from '../../../local/reconcile-ticker.js';
import { mockedRuntime } from '../../support/runtime.js';
import { forkRecord } from '../core/fixtures.js';

describe('offline reconcile ticker', () => {
  it('runs the reconciler on demand, one run at a time, and reports what it did', async () => {
    const test = mockedRuntime();
    const expired = forkRecord({ id: 'fork-expired00001', status: 'ready', step: 'ready' });
    test.mocks.dynamo?.on(QueryCommand, { IndexName: 'byExpiry' }).resolves({ Items: [expired] });
    test.mocks.dynamo?.on(QueryCommand, { IndexName: 'byStatus' }).resolves({ Items: [] });
    test.mocks.dynamo?.on(GetCommand).resolves({});
    // The orphan scan fails (no mocks for it): the run is reported as an error, the ticker survives.
    const runs: unknown[] = [];
    const errors: unknown[] = [];
    const ticker = startReconcileTicker({
      runtime: test.rt,
      intervalMs: 0,
      onRun: (s) => runs.push(s),
      onError: (e) => errors.push(e),
    });
    const [a, b] = [ticker.tick(), ticker.tick()];
    expect(a).toBe(b);
    expect(await a).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(test.workflows.started).toEqual([{ kind: 'delete', forkId: expired.id, reason: 'reconcile' }]);
    ticker.stop();
    expect(runs).toEqual([]);
  });
});
