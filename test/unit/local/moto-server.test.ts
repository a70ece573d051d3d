import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertMotoInstalled,
  faithfulArgs,
  type MotoServer,
  MotoStartError,
  startMoto,
} from '../../../local/moto-server.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function listBuckets(endpoint: string): Promise<number> {
  // S3 is the one service moto serves to an unsigned GET: enough to see state come and go.
  const response = await fetch(`${endpoint}/`);
  const body = await response.text();
  return body.match(/<Bucket>/g)?.length ?? 0;
}

/** The lifecycle of a server of our own (the shared one of the moto project is not touched). */
describe('startMoto', () => {
  let server: MotoServer;

  beforeAll(async () => {
    server = await startMoto();
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('answers on a loopback endpoint', async () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.endpoint}/moto-api/config`);
    expect(response.ok).toBe(true);
  });

  it('reset() forgets every resource', async () => {
    await fetch(`${server.endpoint}/dbfork-reset-test`, { method: 'PUT' });
    expect(await listBuckets(server.endpoint)).toBe(1);

    await server.reset();

    expect(await listBuckets(server.endpoint)).toBe(0);
  });

  it('stop() ends the server process and frees the port', async () => {
    const { pid, endpoint } = server;

    await server.stop();
    await server.stop();

    expect(isAlive(pid)).toBe(false);
    await expect(fetch(`${endpoint}/moto-api/config`)).rejects.toThrow();
  });
});

describe('assertMotoInstalled', () => {
  it('tells how to install moto when the interpreter cannot import it', async () => {
    const failure = await assertMotoInstalled('false').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MotoStartError);
    expect((failure as Error).message).toContain('bash scripts/ensure-python-tools.sh moto');
  });

  it('tells how to install moto when there is no such interpreter', async () => {
    await expect(assertMotoInstalled('/nonexistent/python3')).rejects.toThrow(
      '/nonexistent/python3 not found). Install it: bash scripts/ensure-python-tools.sh moto',
    );
  });
});

describe('faithfulArgs', () => {
  it('passes nothing when no option is given, so the launcher reads DBFORK_FAITHFUL', () => {
    expect(faithfulArgs({})).toEqual([]);
  });

  it('turns the faithful options into launcher flags', () => {
    expect(faithfulArgs({ faithful: false, faithfulDelayMs: 150 })).toEqual([
      '--no-faithful',
      '--faithful-delay-ms',
      '150',
    ]);
    expect(faithfulArgs({ faithful: true })).toEqual(['--faithful']);
  });

  it('refuses a negative or fractional delay', () => {
    expect(() => faithfulArgs({ faithfulDelayMs: -1 })).toThrow(RangeError);
    expect(() => faithfulArgs({ faithfulDelayMs: 1.5 })).toThrow(RangeError);
  });
});
