import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SOURCE_ID, sourceInstance } from '../core/fixtures.js';
import { apiHarness, bodyOf, givenRds } from './support.js';

function harness() {
  const h = apiHarness();
  givenRds(h.mocks, [sourceInstance()]);
  h.mocks.dynamo?.on(GetCommand).resolves({});
  h.mocks.dynamo?.on(TransactWriteCommand).resolves({});
  h.mocks.dynamo?.on(QueryCommand).resolves({ Items: [] });
  h.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  return h;
}

const isClientAnswer = (statusCode: number, body: string) =>
  (statusCode < 300 || (statusCode >= 400 && statusCode < 500)) &&
  (statusCode < 400 || Object.keys(JSON.parse(body) as object).join() === 'error');

describe('the API with random input', () => {
  it('never answers 5xx to any create body', async () => {
    const h = harness();
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          source: fc.oneof(fc.constant(SOURCE_ID), fc.string()),
          name: fc.string(),
          restore: fc.oneof(
            fc.record({
              type: fc.constantFrom(
                'latest-backup',
                'snapshot',
                'point-in-time',
                'clone',
                'fresh-snapshot',
                'x',
              ),
            }),
            fc.record({
              type: fc.constant('point-in-time'),
              time: fc.oneof(
                fc.string(),
                fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
              ),
            }),
          ),
          ttlHours: fc.oneof(fc.integer(), fc.double(), fc.string()),
          ttlMinutes: fc.oneof(fc.integer(), fc.double(), fc.string()),
          overrides: fc.dictionary(fc.string(), fc.jsonValue()),
          tags: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const result = await h.call('POST', '/v1/forks', { body: JSON.stringify(value) });
        return isClientAnswer(result.statusCode, result.body);
      }),
      { numRuns: 300 },
    );
  });

  it('never answers 5xx to any list query', async () => {
    const h = harness();
    const query = fc.dictionary(
      fc.constantFrom('source', 'status', 'owner', 'tag', 'limit', 'nextToken', 'other'),
      fc.oneof(
        fc.string(),
        fc.string().map((s) => Buffer.from(s).toString('base64url')),
      ),
    );
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const result = await h.call('GET', '/v1/forks', { query: q });
        return isClientAnswer(result.statusCode, result.body);
      }),
      { numRuns: 300 },
    );
  });

  it('never answers 5xx to any path under /v1', async () => {
    const h = harness();
    const segment = fc.oneof(
      fc.string(),
      fc.constantFrom('forks', 'sources', 'backups', 'fork-abcdef123456'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT'),
        fc.array(segment, { maxLength: 4 }),
        async (method, parts) => {
          const result = await h.call(method, `/v1/${parts.map(encodeURIComponent).join('/')}`, {
            body: '{}',
          });
          expect(bodyOf(result)).toBeTypeOf('object');
          return isClientAnswer(result.statusCode, result.body);
        },
      ),
      { numRuns: 300 },
    );
  });
});
