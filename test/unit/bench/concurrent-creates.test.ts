import { describe, expect, it } from 'vitest';
import { accountForks } from '../../../bench/concurrent-creates.js';

describe('accountForks', () => {
  it('finds nothing lost or duplicated when answers, records and workflows name the same forks once', () => {
    expect(accountForks({ accepted: ['a', 'b'], records: ['b', 'a'], workflows: ['a', 'b'] })).toEqual({
      lost: 0,
      duplicated: 0,
    });
  });

  it('counts an accepted fork without a record or without a workflow as lost', () => {
    expect(accountForks({ accepted: ['a', 'b', 'c'], records: ['a', 'c'], workflows: ['a', 'b'] })).toEqual({
      lost: 2,
      duplicated: 0,
    });
  });

  it('counts a refused create that left a record, a second workflow and a repeated id as duplicated', () => {
    expect(accountForks({ accepted: ['a', 'a'], records: ['a', 'refused'], workflows: ['a', 'a'] })).toEqual({
      lost: 0,
      duplicated: 3,
    });
  });
});
