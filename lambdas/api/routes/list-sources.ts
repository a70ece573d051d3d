import type { SourceDatabase } from '../../core/engines/engine.js';
import type { EngineKind } from '../../core/fork.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { isForkAllowed } from '../../core/source-policy.js';
import { TAG } from '../../core/tags.js';
import * as z from '../../core/zod.js';
import { type ApiRequest, parseQuery } from '../request.js';
import type { ApiResponse } from '../respond.js';

/** GET /v1/sources: every database of every engine (but dbfork's own forks), with whether it may be forked. */

export interface RestorableWindowView {
  earliestRestorableTime: string | null;
  latestRestorableTime: string | null;
}

export interface SourceView {
  id: string;
  arn: string;
  engine: string;
  kind: EngineKind;
  status: string;
  allowed: boolean;
  restorableWindow: RestorableWindowView;
}

export function windowOf(source: SourceDatabase): RestorableWindowView {
  return {
    earliestRestorableTime: source.restorableWindow.earliest ?? null,
    latestRestorableTime: source.restorableWindow.latest ?? null,
  };
}

export function isDbForkManaged(source: SourceDatabase): boolean {
  return source.tags[TAG.managed] === 'true';
}

export async function listSources(rt: RuntimeWith<'engines'>): Promise<SourceView[]> {
  const perEngine = await Promise.all(rt.engines.all().map((engine) => engine.listSources()));
  return perEngine
    .flat()
    .filter((source) => !isDbForkManaged(source))
    .map((source) => ({
      id: source.id,
      arn: source.arn,
      engine: source.engine,
      kind: source.kind,
      status: source.status,
      allowed: isForkAllowed(source, rt.env.policy),
      restorableWindow: windowOf(source),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export async function listSourcesRoute(
  request: ApiRequest,
  rt: RuntimeWith<'engines'>,
): Promise<ApiResponse> {
  parseQuery(request, z.strictObject({}));
  return { statusCode: 200, body: { sources: await listSources(rt) } };
}
