import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FrontDoorApiOptions, FrontDoorAuthorization } from './props';
import { ResolvedThrottling } from './rest-api';
import { EventBusRoute, FrontDoorRoute, FrontDoorValue, QueueRoute, StreamRoute, WorkflowRoute } from './route';

/**
 * HTTP API stream routes: the body field holding the record, base64-encoded (Kinesis reads
 * PutRecord's `Data` as base64 and an HTTP API cannot encode).
 */
export const HTTP_STREAM_DATA_FIELD = 'data';

/** The stage every HTTP front door deploys to (auto-deployed). */
export const HTTP_STAGE = '$default';

/** JSON access log line of an HTTP API stage (the REST API's standard fields, plus the integration error). */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  latency: '$context.responseLatency',
});

/**
 * The HTTP API (v2) of a FrontDoor: one route per FrontDoor route with a first-class AWS
 * integration (IntegrationSubtype), which aws-cdk-lib lacks for Kinesis. Internal.
 */
export class HttpFrontDoorApi {
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.CfnStage;
  private readonly authorizer?: apigwv2.CfnAuthorizer;
  /** RouteSettings is a JSON map in CloudFormation's schema: written with CloudFormation's key names. */
  private readonly routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(private readonly scope: Construct, private readonly props: FrontDoorApiOptions, stage: ResolvedThrottling, accessLogs: logs.ILogGroup) {
    const cors = props.cors;
    this.api = new apigwv2.HttpApi(scope, 'Api', {
      apiName: props.apiName ?? scope.node.path,
      description: `Front door of ${scope.node.path}: routes straight to queues, streams, buses and workflows (no Lambda in between)`,
      createDefaultStage: false,
      corsPreflight: cors ? {
        allowOrigins: cors.allowOrigins,
        allowMethods: [apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.PUT, apigwv2.CorsHttpMethod.PATCH],
        allowHeaders: cors.allowHeaders ?? ['Content-Type', 'Authorization', 'X-Amz-Date', 'X-Amz-Security-Token'],
        maxAge: cors.maxAge ?? Duration.hours(1),
      } : undefined,
    });
    this.stage = new apigwv2.CfnStage(scope, 'Stage', {
      apiId: this.api.apiId,
      stageName: HTTP_STAGE,
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit: stage.rateLimit, throttlingBurstLimit: stage.burstLimit, detailedMetricsEnabled: false },
      routeSettings: Lazy.any({ produce: () => (Object.keys(this.routeSettings).length > 0 ? this.routeSettings : undefined) }),
      accessLogSettings: { destinationArn: accessLogs.logGroupArn, format: ACCESS_LOG_FORMAT },
    });
    this.authorizer = this.makeAuthorizer();
  }

  /** The stage's invoke URL. */
  public get url(): string {
    return `https://${this.api.apiId}.execute-api.${Stack.of(this.scope).region}.${Stack.of(this.scope).urlSuffix}/`;
  }

  /** Adds the route and its first-class integration. */
  public addRoute(route: FrontDoorRoute, routeId: string, method: string, path: string,
    timeout: Duration | undefined, throttling: ResolvedThrottling | undefined): apigwv2.CfnRoute {
    const role = new iam.Role(this.scope, `${routeId}Role`, {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      // IAM role descriptions are at most 1,000 characters: a long path is cut, never refused for it.
      description: `API Gateway calls the backend of ${method} /${path} (${this.scope.node.path})`.slice(0, 1000),
    });
    const target = route._target();
    role.addToPolicy(new iam.PolicyStatement({ actions: [target.action], resources: [target.resourceArn] }));
    target.grantKey?.(role);

    const { subtype, parameters } = firstClassIntegration(route);
    const integration = new apigwv2.CfnIntegration(this.scope, `${routeId}Integration`, {
      apiId: this.api.apiId,
      integrationType: 'AWS_PROXY',
      integrationSubtype: subtype,
      payloadFormatVersion: '1.0',
      credentialsArn: role.roleArn,
      requestParameters: parameters,
      timeoutInMillis: timeout?.toMilliseconds(),
    });
    const authorization = this.props.authorization ?? FrontDoorAuthorization.IAM;
    const routeKey = `${method} /${path}`;
    const result = new apigwv2.CfnRoute(this.scope, routeId, {
      apiId: this.api.apiId,
      routeKey,
      target: `integrations/${integration.ref}`,
      authorizationType: authorization === FrontDoorAuthorization.IAM ? 'AWS_IAM' : authorization === FrontDoorAuthorization.COGNITO ? 'JWT' : 'CUSTOM',
      authorizerId: this.authorizer?.ref,
    });
    if (throttling) this.routeSettings[routeKey] = { ThrottlingRateLimit: throttling.rateLimit, ThrottlingBurstLimit: throttling.burstLimit };
    this.stage.addDependency(result);
    return result;
  }

  private makeAuthorizer(): apigwv2.CfnAuthorizer | undefined {
    const { authorization, userPool, userPoolClients, authorizerFunction } = this.props;
    const stack = Stack.of(this.scope);
    if (authorization === FrontDoorAuthorization.COGNITO && userPool) {
      return new apigwv2.CfnAuthorizer(this.scope, 'Authorizer', {
        apiId: this.api.apiId,
        name: 'cognito',
        authorizerType: 'JWT',
        identitySource: ['$request.header.Authorization'],
        jwtConfiguration: {
          issuer: `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${userPool.userPoolId}`,
          audience: (userPoolClients ?? []).map(c => c.userPoolClientId),
        },
      });
    }
    if (authorization === FrontDoorAuthorization.LAMBDA && authorizerFunction) {
      const authorizer = new apigwv2.CfnAuthorizer(this.scope, 'Authorizer', {
        apiId: this.api.apiId,
        name: 'lambda',
        authorizerType: 'REQUEST',
        identitySource: ['$request.header.Authorization'],
        authorizerPayloadFormatVersion: '2.0',
        enableSimpleResponses: true,
        authorizerResultTtlInSeconds: 300,
        authorizerUri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${authorizerFunction.functionArn}/invocations`,
      });
      authorizerFunction.addPermission(`${this.scope.node.id}AuthorizerInvoke`, {
        principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        sourceArn: stack.formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: `authorizers/${authorizer.ref}` }),
      });
      return authorizer;
    }
    return undefined;
  }
}

/** The integration subtype and its request parameters (API Gateway maps them; no template). */
function firstClassIntegration(route: FrontDoorRoute): { subtype: string; parameters: Record<string, string> } {
  if (route instanceof QueueRoute) {
    const { queue, messageGroupId, deduplicationId } = route.options;
    const parameters: Record<string, string> = { QueueUrl: queue.queueUrl, MessageBody: '$request.body' };
    if (queue.fifo && messageGroupId) {
      parameters.MessageGroupId = mapping(messageGroupId);
      parameters.MessageDeduplicationId = mapping(deduplicationId ?? FrontDoorValue.requestId());
    }
    return { subtype: 'SQS-SendMessage', parameters };
  }
  if (route instanceof StreamRoute) {
    const { stream, partitionKey } = route.options;
    // API Gateway passes a mapped value to Kinesis as it is (HTTP APIs cannot transform it), and
    // Kinesis reads PutRecord's Data as base64: a raw JSON body would be refused. So the caller
    // sends the record base64-encoded in the body's `data` field (docs/local-aws-fidelity.md).
    return { subtype: 'Kinesis-PutRecord', parameters: { StreamName: stream.streamName, Data: `$request.body.${HTTP_STREAM_DATA_FIELD}`, PartitionKey: mapping(partitionKey) } };
  }
  if (route instanceof EventBusRoute) {
    const { eventBus, source, detailType } = route.options;
    return { subtype: 'EventBridge-PutEvents', parameters: { EventBusName: eventBus.eventBusName, Source: source, DetailType: detailType, Detail: '$request.body' } };
  }
  const { stateMachine, synchronous } = (route as WorkflowRoute).options;
  return synchronous
    ? { subtype: 'StepFunctions-StartSyncExecution', parameters: { StateMachineArn: stateMachine.stateMachineArn, Input: '$request.body' } }
    : { subtype: 'StepFunctions-StartExecution', parameters: { StateMachineArn: stateMachine.stateMachineArn, Input: '$request.body', Name: '$context.requestId' } };
}

/** A FrontDoorValue as an HTTP API parameter mapping expression. */
function mapping(value: FrontDoorValue): string {
  return value.kind === 'BODY_FIELD' ? `$request.body.${value.name}` : value.kind === 'HEADER' ? `$request.header.${value.name}` : '$context.requestId';
}
