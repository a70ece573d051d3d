import { describe, expect, it } from 'vitest';
import type { Fork } from '../../../cli/http.js';
import { expiryWarning, forkDetails } from '../../../cli/output.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const fork: Fork = {
  id: 'fork-abcdef123456',
  name: 'pr-1234',
  restore: { requested: { type: 'latest-backup' } },
  status: 'ready',
  step: 'ready',
  progress: 100,
  owner: 'arn:aws:iam::123456789012:user/alice',
  createdAt: '2026-11-20T11:00:00.000Z',
  expiresAt: '2026-11-20T13:30:00.000Z',
  expiryWarningAt: '2026-11-20T12:30:00.000Z',
};

describe('the Fork Expiring line of dbfork show', () => {
  it('says when the warning fires for a live fork', () => {
    expect(expiryWarning(fork, NOW)).toBe('Fork Expiring at 2026-11-20 12:30:00Z (in 30m)');
    expect(forkDetails(fork, NOW)).toMatch(
      /^ {2}expires +2026-11-20 13:30:00Z \(in 1h 30m\)\n {2}warning +Fork Expiring at 2026-11-20 12:30:00Z \(in 30m\)$/m,
    );
  });

  it('says when it was sent, once it was, whatever became of the fork since', () => {
    const sent = { ...fork, expiryWarningSentAt: '2026-11-20T11:55:00.000Z' };

    expect(expiryWarning(sent, NOW)).toBe('Fork Expiring sent 2026-11-20 11:55:00Z (5m ago)');
    expect(expiryWarning({ ...sent, status: 'deleted', step: 'deleted' }, NOW)).toBe(
      'Fork Expiring sent 2026-11-20 11:55:00Z (5m ago)',
    );
  });

  it('says nothing for a fork whose expiry is not scheduled yet, or that will no longer expire', () => {
    const { expiryWarningAt: _none, ...unscheduled } = fork;

    expect(expiryWarning({ ...unscheduled, status: 'creating', step: 'restoring' }, NOW)).toBeUndefined();
    expect(expiryWarning({ ...fork, status: 'deleting', step: 'removing-dns' }, NOW)).toBeUndefined();
    expect(expiryWarning({ ...fork, status: 'failed', step: 'failed' }, NOW)).toBeUndefined();
    expect(forkDetails({ ...fork, status: 'failed', step: 'failed' }, NOW)).not.toContain('warning');
  });
});
