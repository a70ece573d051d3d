/**
 * vitest globalSetup of the `moto` project: ONE moto server (local/moto-server.ts) for the
 * whole run, its endpoint provided to the tests as `inject('motoEndpoint')`, stopped at the end.
 *
 * Set DBFORK_MOTO_ENDPOINT to use a moto server you started yourself
 * (`python3 local/moto/launcher.py -p 5000`, then DBFORK_MOTO_ENDPOINT=http://127.0.0.1:5000).
 */
import type { TestProject } from 'vitest/node';
import { type MotoServer, startMoto } from '../../local/moto-server.js';

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
  const server: MotoServer = await startMoto();
  project.provide('motoEndpoint', server.endpoint);
  return () => server.stop();
}
