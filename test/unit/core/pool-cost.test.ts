import { describe, expect, it } from 'vitest';
import { poolCostDescription } from '../../../lambdas/core/pool-cost.js';

describe('poolCostDescription', () => {
  it('names what runs all the time: the size, the class, and the storage', () => {
    expect(poolCostDescription({ instanceClass: 'db.t4g.medium', members: 2, size: 2, leaving: 0 })).toBe(
      '2 × db.t4g.medium running all the time, plus their storage',
    );
  });

  it('says how many run now when the pool is filling or being recycled', () => {
    expect(poolCostDescription({ instanceClass: 'db.t4g.medium', members: 3, size: 2, leaving: 1 })).toBe(
      '2 × db.t4g.medium running all the time (3 now), plus their storage; 1 more being removed',
    );
  });

  it('bills Aurora Serverless v2 members by the ACU-hour, not by the instance', () => {
    expect(poolCostDescription({ instanceClass: 'db.serverless', members: 1, size: 1, leaving: 0 })).toBe(
      '1 × db.serverless (Aurora Serverless v2: billed per ACU-hour, at least its minimum capacity) running all the time, plus their storage',
    );
  });

  it('says a drained pool runs its members only until they are gone', () => {
    expect(
      poolCostDescription({ instanceClass: 'db.r6g.large', members: 2, size: undefined, leaving: 0 }),
    ).toBe('2 × db.r6g.large running until drained (the pool is no longer configured), plus their storage');
    expect(poolCostDescription({ instanceClass: undefined, members: 0, size: undefined, leaving: 2 })).toBe(
      'nothing kept (the pool is no longer configured); 2 members being removed',
    );
  });
});
