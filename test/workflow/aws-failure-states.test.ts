import { beforeEach, describe, expect, it } from 'vitest';
import type { RestoreFailureStatus } from '../../local/emulator-config.js';
import { resetMoto, setEmulatorConfig } from '../support/moto.js';
import { clusterWorkflowHarness, NOTHING_LEFT, workflowHarness } from '../support/workflow-harness.js';

/**
 * A restore AWS cannot complete lands in a failure status and stays there (docs/aws-fidelity.md,
 * rule 8): the fork must fail at once, naming that status, and clean up — not poll until the
 * three-hour wait budget runs out. The emulator's failure injection makes the next restore end so.
 */
describe('a restore that lands in a failure status (faithful emulator)', () => {
  beforeEach(async () => {
    await resetMoto();
  });

  it.each<RestoreFailureStatus>(['incompatible-parameters', 'restore-error', 'storage-full'])(
    'fails an RDS fork whose instance ends %s, keeping the status in the error, and leaves nothing',
    async (status) => {
      const h = await workflowHarness();
      await setEmulatorConfig({ faithful: true, failures: { nextRestore: status } });

      const { fork, execution } = await h.create({ source: 'orders-prod' });

      expect(execution.status).toBe('FAILED');
      expect(fork.status).toBe('failed');
      expect(fork.error?.message).toContain(status);
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    },
  );

  it('fails an Aurora fork whose cluster ends incompatible-network, and leaves nothing', async () => {
    const h = await clusterWorkflowHarness({
      source: { kind: 'aurora-cluster', engine: 'aurora-postgresql' },
      sourceId: 'analytics-prod',
    });
    await setEmulatorConfig({ faithful: true, failures: { nextRestore: 'incompatible-network' } });

    const { fork, execution } = await h.create({ source: 'analytics-prod', restore: { type: 'clone' } });

    expect(execution.status).toBe('FAILED');
    expect(fork.error?.message).toContain('incompatible-network');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });
});
