import { SourceNotAvailableError } from '../../core/errors.js';
import { sourceRefSchema } from '../../core/fork.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { assertForkable } from '../../core/source-policy.js';
import * as z from '../../core/zod.js';
import { type ApiRequest, parseParams, parseQuery } from '../request.js';
import type { ApiResponse } from '../respond.js';
import { windowOf } from './list-sources.js';

/** GET /v1/sources/{id}/backups: what a fork of this source could restore from, newest first. */

const paramsSchema = z.strictObject({ id: sourceRefSchema });

export async function listSourceBackups(rt: RuntimeWith<'engines'>, ref: string) {
  const { engine, source } = await rt.engines.resolve(ref);
  try {
    assertForkable(source, rt.env.policy);
  } catch (error) {
    // Browsing backups does not need the source to be available right now; allow-listing still applies.
    if (!(error instanceof SourceNotAvailableError)) throw error;
  }
  const backups = await engine.listBackups(source);
  return {
    source: {
      id: source.id,
      arn: source.arn,
      engine: source.engine,
      kind: source.kind,
      status: source.status,
    },
    restorableWindow: windowOf(source),
    backups: backups.map((backup) => ({
      id: backup.id,
      ...(backup.arn ? { arn: backup.arn } : {}),
      type: backup.type,
      status: backup.status,
      createdAt: backup.createdAt ?? null,
      ...(backup.engine ? { engine: backup.engine } : {}),
    })),
  };
}

export async function listBackupsRoute(
  request: ApiRequest,
  rt: RuntimeWith<'engines'>,
): Promise<ApiResponse> {
  const { id } = parseParams(request, paramsSchema);
  parseQuery(request, z.strictObject({}));
  return { statusCode: 200, body: await listSourceBackups(rt, id) };
}
