import { describe, expect, it } from 'vitest';
import { isLoopback, prepareRequest, regionOfHost } from '../../../cli/signing.js';

const credentials = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
});
const now = () => new Date('2026-11-20T12:00:00Z');

function request(url: string, body?: string) {
  return {
    method: body ? 'POST' : 'GET',
    url: new URL(url),
    headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    body,
  };
}

describe('prepareRequest', () => {
  it("signs a request to AWS (https) with SigV4 for execute-api in the API's region", async () => {
    const out = await prepareRequest(
      request(
        'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/v1/forks?status=ready',
        '{"source":"orders"}',
      ),
      { credentials, now, env: {} },
    );

    expect(out.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261120\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(out.headers['x-amz-date']).toBe('20261120T120000Z');
    expect(out.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(out.headers).not.toHaveProperty('host'); // fetch sets it
    expect(out.headers).not.toHaveProperty('x-dbfork-principal');
    expect(out.body).toBe('{"source":"orders"}');
  });

  it('signs a session token when the credentials have one, and a custom domain in AWS_REGION', async () => {
    const out = await prepareRequest(request('https://dbfork.example.com/v1/sources'), {
      credentials: async () => ({ ...(await credentials()), sessionToken: 'token-1' }),
      now,
      env: { AWS_REGION: 'us-west-2' },
    });

    expect(out.headers.authorization).toContain('/us-west-2/execute-api/aws4_request');
    expect(out.headers['x-amz-security-token']).toBe('token-1');
  });

  it('refuses to sign when the region cannot be told', async () => {
    await expect(
      prepareRequest(request('https://dbfork.example.com/v1/sources'), { credentials, now, env: {} }),
    ).rejects.toThrow('cannot tell which AWS region');
  });

  it.each(['http://127.0.0.1:3000/v1/forks', 'http://localhost:3000/v1/forks'])(
    'sends %s (offline) unsigned, with the principal header',
    async (url) => {
      const out = await prepareRequest(request(url), {
        credentials: () => Promise.reject(new Error('must not be asked for credentials')),
        principal: 'arn:aws:iam::123456789012:user/alice',
      });

      expect(out.headers).toEqual({
        accept: 'application/json',
        'x-dbfork-principal': 'arn:aws:iam::123456789012:user/alice',
      });
    },
  );

  it('sends no principal header when none is given', async () => {
    const out = await prepareRequest(request('http://127.0.0.1:3000/v1/forks'));
    expect(Object.keys(out.headers)).toEqual(['accept']);
  });
});

describe('regionOfHost / isLoopback', () => {
  it('reads the region of an execute-api host', () => {
    expect(regionOfHost('abc123.execute-api.ap-southeast-2.amazonaws.com')).toBe('ap-southeast-2');
    expect(regionOfHost('dbfork.example.com')).toBeUndefined();
  });

  it('knows loopback hosts', () => {
    expect(isLoopback(new URL('http://127.0.0.1:3000'))).toBe(true);
    expect(isLoopback(new URL('http://[::1]:3000'))).toBe(true);
    expect(isLoopback(new URL('http://localhost'))).toBe(true);
    expect(isLoopback(new URL('http://10.0.0.1'))).toBe(false);
  });
});
