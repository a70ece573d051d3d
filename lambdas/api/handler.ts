import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MethodNotAllowedError } from '../core/errors.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import { API_PARTS, type ApiRuntime } from './api-runtime.js';
import { toApiRequest } from './request.js';
import { errorResponse, json } from './respond.js';
import { Router } from './router.js';
import { ROUTES } from './routes.js';

/**
 * The HTTP API Lambda (API Gateway REST, proxy integration, AWS_IAM auth): route → parse (zod) →
 * domain → response. Every failure becomes `{"error": {code, message, details}}`.
 */
export type Api = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function createApi(rt: ApiRuntime, router = new Router(ROUTES)): Api {
  return async (event) => {
    const requestId = event.requestContext?.requestId;
    const started = Date.now();
    let result: APIGatewayProxyResult;
    try {
      const { route, params } = router.match(event.httpMethod, event.path);
      const request = toApiRequest(event, params);
      result = json(await route.handle(request, rt), requestId);
    } catch (error) {
      result = errorResponse(error, rt.logger, requestId);
      if (error instanceof MethodNotAllowedError) {
        result.headers = { ...result.headers, allow: router.allowedMethods(event.path).join(', ') };
      }
    }
    rt.logger.info('request', {
      method: event.httpMethod,
      path: event.path,
      statusCode: result.statusCode,
      durationMs: Date.now() - started,
    });
    return result;
  };
}

const runtime = lazyRuntime(API_PARTS);
let api: Api | undefined;

export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  api ??= createApi(runtime());
  return api(event);
};
