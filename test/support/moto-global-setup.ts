/**
 * vitest globalSetup of the `moto` project: ONE moto server (local/moto-server.ts) for the
 * whole run, its endpoint provided to the tests as `inject('motoEndpoint')`, stopped at the end.
 *
 * Set DBFORK_MOTO_ENDPOINT to use a moto server you started yourself
 * (`python3 local/moto/launcher.py -p 5000`, then DBFORK_MOTO_ENDPOINT=http://127.0.0.1:5000).
 *
 * DBFORK_FAITHFUL (`1` or `0`, default {@link TEST_FAITHFUL_DEFAULT}) chooses whether the server
 * starts in its AWS-faithful mode (docs/aws-fidelity.md), with transitions of
 * {@link TEST_FAITHFUL_DELAY_MS} ms. Tests of the faithful rules turn it on per test
 * (`setEmulatorConfig` in test/support/moto.ts); `resetMoto()` returns to this default.
 */
import type { TestProject } from 'vitest/node';
import { type MotoServer, startMoto } from '../../local/moto-server.js';

/** The one switch of the faithful mode for the moto tier (see above). */
export const TEST_FAITHFUL_DEFAULT = '1';
export const TEST_FAITHFUL_DELAY_MS = 100;

export function testFaithful(): boolean {
  return (process.env.DBFORK_FAITHFUL ?? TEST_FAITHFUL_DEFAULT) === '1';
}

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DBFORK_MOTO_ENDPOINT;
  if (external) {
    project.provide('motoEndpoint', external.replace(/\/$/, ''));
    return async () => {};
  }
  const server: MotoServer = await startMoto({
    faithful: testFaithful(),
    faithfulDelayMs: TEST_FAITHFUL_DELAY_MS,
  });
  project.provide('motoEndpoint', server.endpoint);
  return () => server.stop();
}
