import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiGroup } from './functions.construct.js';
import { NAMES } from './names.js';

export interface ForkApiProps {
  /** The function behind each group of routes (Lambda proxy integration). */
  readonly handlers: Readonly<Record<ApiGroup, lambda.IFunction>>;
  /** Retention of the access log group. */
  readonly logRetention: logs.RetentionDays;
  /** Steady-state requests per second for the whole stage. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Burst requests for the whole stage. @default 100 */
  readonly throttlingBurstLimit?: number;
}

/** Every route of the v1 HTTP API (DESIGN.md §1): [method, path, the group whose function serves it]. */
export const API_ROUTES = [
  ['POST', '/v1/forks', 'create'],
  ['GET', '/v1/forks', 'forks'],
  ['GET', '/v1/forks/{id}', 'forks'],
  ['PATCH', '/v1/forks/{id}', 'forks'],
  ['DELETE', '/v1/forks/{id}', 'forks'],
  ['POST', '/v1/forks/{id}/refresh', 'forks'],
  ['GET', '/v1/sources', 'sources'],
  ['GET', '/v1/sources/{id}/backups', 'sources'],
  ['GET', '/v1/pools', 'sources'],
  ['GET', '/v1/openapi.json', 'sources'],
] as const satisfies readonly (readonly [string, string, ApiGroup])[];

/** The group whose function serves a route. */
function groupOf(httpMethod: string, path: string): ApiGroup {
  const route = API_ROUTES.find(([m, p]) => m === httpMethod && p === path);
  if (!route) throw new Error(`no API route ${httpMethod} ${path}`);
  return route[2];
}

/** Gateway errors (auth, throttling, validation) in the API's own error shape. */
const ERROR_TEMPLATE =
  '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"details":[]}}';

/**
 * The REST API: every method AWS_IAM (SigV4), Lambda proxy to the function of its route group, request validation,
 * JSON access logs, execution logs on errors, X-Ray tracing and stage throttling.
 */
export class ForkApi extends Construct {
  readonly restApi: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ForkApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: NAMES.restApi,
      description: 'dbfork: database forks on demand (v1)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Stage logging needs the account-level API Gateway CloudWatch role; CDK sets it (retained).
      cloudWatchRole: true,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Never log bodies: create/extend bodies are harmless, but the habit is not.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
      },
    });

    // The stack publishes the URL once, as ApiUrl; drop RestApi's automatic duplicate output.
    this.restApi.node.tryRemoveChild('Endpoint');

    for (const type of [apigw.ResponseType.DEFAULT_4XX, apigw.ResponseType.DEFAULT_5XX]) {
      this.restApi.addGatewayResponse(`Gateway${type.responseType}`, {
        type,
        templates: { 'application/json': ERROR_TEMPLATE },
      });
    }

    const validator = this.restApi.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // The handler validates bodies in full (zod, unknown fields rejected); the gateway only rejects
    // what is not a JSON object before a Lambda is invoked.
    const objectBody = (name: string, required: string[] = []) =>
      this.restApi.addModel(name, {
        contentType: 'application/json',
        modelName: name,
        schema: {
          schema: apigw.JsonSchemaVersion.DRAFT4,
          title: name,
          type: apigw.JsonSchemaType.OBJECT,
          required,
        },
      });
    const createBody = objectBody('CreateForkBody', ['source']);
    const updateBody = objectBody('UpdateForkBody');

    // One resource policy statement per function instead of one per method.
    const integrations = new Map<ApiGroup, apigw.LambdaIntegration>();
    const integrationOf = (group: ApiGroup) => {
      let integration = integrations.get(group);
      if (!integration) {
        integration = new apigw.LambdaIntegration(props.handlers[group], {
          proxy: true,
          scopePermissionToMethod: false,
        });
        integrations.set(group, integration);
      }
      return integration;
    };
    const method = (
      resource: apigw.IResource,
      httpMethod: string,
      requestParameters: Record<string, boolean> = {},
      body?: apigw.IModel,
    ) =>
      resource.addMethod(httpMethod, integrationOf(groupOf(httpMethod, resource.path)), {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        requestParameters,
        ...(body ? { requestModels: { 'application/json': body } } : {}),
      });

    const v1 = this.restApi.root.addResource('v1');
    const forks = v1.addResource('forks');
    method(forks, 'POST', { 'method.request.header.Idempotency-Key': false }, createBody);
    method(forks, 'GET', {
      'method.request.querystring.source': false,
      'method.request.querystring.status': false,
      'method.request.querystring.owner': false,
      'method.request.querystring.tag': false,
      'method.request.querystring.limit': false,
      'method.request.querystring.nextToken': false,
    });
    const fork = forks.addResource('{id}');
    const forkId = { 'method.request.path.id': true };
    method(fork, 'GET', forkId);
    method(fork, 'PATCH', forkId, updateBody);
    method(fork, 'DELETE', forkId);
    // The body is optional (every field has a default), so no model: the handler validates it in full.
    method(fork.addResource('refresh'), 'POST', forkId);

    const sources = v1.addResource('sources');
    method(sources, 'GET');
    const backups = sources.addResource('{id}').addResource('backups');
    method(backups, 'GET', { 'method.request.path.id': true });

    method(v1.addResource('pools'), 'GET');

    method(v1.addResource('openapi.json'), 'GET');
  }
}
