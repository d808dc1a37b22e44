import { Duration, Lazy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { FrontDoorApiOptions, FrontDoorAuthorization, FrontDoorThrottling } from './props';
import { EventBusRoute, FrontDoorRoute, FrontDoorValue, QueueRoute, routeSchema, StreamRoute, WorkflowRoute } from './route';
import * as t from './templates';

const JSON_TYPE = 'application/json';

/** Throttling resolved to numbers. Internal. */
export interface ResolvedThrottling { readonly rateLimit: number; readonly burstLimit: number }

/** What a route's integration is, for the REST API. Internal. */
interface RestIntegrationSpec {
  readonly integration: apigateway.AwsIntegration;
  readonly schema: apigateway.JsonSchema;
  readonly requiredHeaders: string[];
}

/** The REST API of a FrontDoor: one method per route with an AWS service integration. Internal. */
export class RestFrontDoorApi {
  public readonly api: apigateway.RestApi;
  public readonly apiKey?: apigateway.IApiKey;
  public readonly usagePlan?: apigateway.UsagePlan;
  private readonly validator: apigateway.RequestValidator;
  private readonly authorizer?: apigateway.IAuthorizer;
  private readonly methodSettings: apigateway.CfnStage.MethodSettingProperty[] = [];
  private readonly usagePlanThrottles: Array<[string, apigateway.CfnUsagePlan.ThrottleSettingsProperty]> = [];

  constructor(private readonly scope: Construct, private readonly props: FrontDoorApiOptions, stage: ResolvedThrottling, accessLogs: logs.ILogGroup) {
    const cors = props.cors;
    this.api = new apigateway.RestApi(scope, 'Api', {
      // Named by default after the construct path: the ApiName dimension of the alarms must not be shared by two APIs.
      restApiName: props.apiName ?? scope.node.path,
      description: `Front door of ${scope.node.path}: routes straight to queues, streams, buses and workflows (no Lambda in between)`,
      cloudWatchRole: false,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      deployOptions: {
        throttlingRateLimit: stage.rateLimit,
        throttlingBurstLimit: stage.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: props.tracingEnabled ?? false,
      },
      defaultCorsPreflightOptions: cors ? {
        allowOrigins: cors.allowOrigins,
        allowMethods: ['OPTIONS', 'POST', 'PUT', 'PATCH'],
        allowHeaders: cors.allowHeaders ?? ['Content-Type', 'Authorization', 'X-Api-Key', 'X-Amz-Date', 'X-Amz-Security-Token'],
        maxAge: cors.maxAge ?? Duration.hours(1),
      } : undefined,
    });
    // Per-route throttling lives in the stage's method settings; routes can be added after construction.
    const cfnStage = this.api.deploymentStage.node.defaultChild as apigateway.CfnStage;
    const stageWide = {
      httpMethod: '*',
      resourcePath: '/*',
      throttlingRateLimit: stage.rateLimit,
      throttlingBurstLimit: stage.burstLimit,
      dataTraceEnabled: false,
      loggingLevel: props.executionLogging ? apigateway.MethodLoggingLevel.ERROR : undefined,
    };
    cfnStage.methodSettings = Lazy.any({ produce: () => [stageWide, ...this.methodSettings] });
    this.validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    this.authorizer = this.makeAuthorizer();

    if ((props.authorization ?? FrontDoorAuthorization.IAM) === FrontDoorAuthorization.API_KEY) {
      this.usagePlan = this.api.addUsagePlan('UsagePlan', {
        description: `Callers of ${scope.node.path}`,
        throttle: stage,
        quota: props.dailyQuota !== undefined ? { limit: props.dailyQuota, period: apigateway.Period.DAY } : undefined,
      });
      // The stage, with each throttled route's limits (routes can be added after construction).
      (this.usagePlan.node.defaultChild as apigateway.CfnUsagePlan).apiStages = Lazy.any({
        produce: () => [{
          apiId: this.api.restApiId,
          stage: this.api.deploymentStage.stageName,
          throttle: this.usagePlanThrottles.length > 0 ? Object.fromEntries(this.usagePlanThrottles) : undefined,
        }],
      });
      this.usagePlan.node.addDependency(this.api.deploymentStage);
      this.apiKey = this.api.addApiKey('ApiKey', { description: `Key of ${scope.node.path}` });
      this.usagePlan.addApiKey(this.apiKey);
    }
    if (props.webAclArn !== undefined) {
      new wafv2.CfnWebACLAssociation(scope, 'WebAcl', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: props.webAclArn });
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: 'No web ACL unless webAclArn is given: the stage throttles, every body is schema-validated and every caller authenticated; a WAF is the user\'s choice and cost.',
      });
    }
    if (!props.executionLogging) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG6',
        reason: 'Access logs (JSON, every request with status and error) are on; execution logs need the account-wide API Gateway CloudWatch role, which a library construct must not own: set executionLogging: true once the account has it.',
      });
    }
  }

  /** Adds the method of one route. */
  public addRoute(route: FrontDoorRoute, routeId: string, method: string, path: string,
    timeout: Duration | undefined, throttling: ResolvedThrottling | undefined): apigateway.Method {
    const role = new iam.Role(this.scope, `${routeId}Role`, {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      // IAM role descriptions are at most 1,000 characters: a long path is cut, never refused for it.
      description: `API Gateway calls the backend of ${method} /${path} (${this.scope.node.path})`.slice(0, 1000),
    });
    const target = route._target();
    // Least privilege: one action on one resource (plus the target's KMS key when it is encrypted).
    role.addToPolicy(new iam.PolicyStatement({ actions: [target.action], resources: [target.resourceArn] }));
    target.grantKey?.(role);

    const spec = integrationOf(route, role, timeout);
    const resource = this.api.root.resourceForPath(path);
    const model = this.api.addModel(`${routeId}Model`, {
      contentType: JSON_TYPE,
      description: `Body of ${method} /${path}`,
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, title: `${routeId}Body`, ...spec.schema },
    });
    const authorization = this.props.authorization ?? FrontDoorAuthorization.IAM;
    const result = resource.addMethod(method, spec.integration, {
      authorizationType: authorization === FrontDoorAuthorization.IAM ? apigateway.AuthorizationType.IAM
        : authorization === FrontDoorAuthorization.COGNITO ? apigateway.AuthorizationType.COGNITO
          : authorization === FrontDoorAuthorization.LAMBDA ? apigateway.AuthorizationType.CUSTOM : apigateway.AuthorizationType.NONE,
      authorizer: this.authorizer,
      apiKeyRequired: authorization === FrontDoorAuthorization.API_KEY,
      requestValidator: this.validator,
      requestModels: { [JSON_TYPE]: model },
      requestParameters: Object.fromEntries(spec.requiredHeaders.map(h => [`method.request.header.${h}`, true])),
      methodResponses: ['200', '500', '503', '504'].map(statusCode => ({ statusCode })),
    });
    if (authorization === FrontDoorAuthorization.API_KEY) {
      Validations.of(result).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'Authorization is an API key with a usage plan (FrontDoorAuthorization.API_KEY, chosen by the user).' });
    }
    if (authorization !== FrontDoorAuthorization.COGNITO) {
      Validations.of(result).acknowledge({ id: 'AwsSolutions-COG4', reason: `The front door authorizes with ${authorization} (chosen by the user), not a Cognito user pool: producers are often services, not end users.` });
    }
    if (throttling) {
      this.methodSettings.push({ httpMethod: method, resourcePath: `/${path.replace(/\//g, '~1')}`, throttlingRateLimit: throttling.rateLimit, throttlingBurstLimit: throttling.burstLimit });
      this.usagePlanThrottles.push([`/${path}/${method}`, throttling]);
    }
    for (const m of this.api.methods.filter(x => x.httpMethod === 'OPTIONS')) {
      Validations.of(m).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'CORS preflight (OPTIONS) must answer unauthenticated browsers; it is a mock integration that reaches no backend.' });
      Validations.of(m).acknowledge({ id: 'AwsSolutions-COG4', reason: 'CORS preflight (OPTIONS) must answer unauthenticated browsers; it is a mock integration that reaches no backend.' });
    }
    return result;
  }

  private makeAuthorizer(): apigateway.IAuthorizer | undefined {
    const { authorization, userPool, authorizerFunction } = this.props;
    if (authorization === FrontDoorAuthorization.COGNITO && userPool) {
      return new apigateway.CognitoUserPoolsAuthorizer(this.scope, 'Authorizer', { cognitoUserPools: [userPool] });
    }
    if (authorization === FrontDoorAuthorization.LAMBDA && authorizerFunction) {
      return new apigateway.TokenAuthorizer(this.scope, 'Authorizer', { handler: authorizerFunction, resultsCacheTtl: Duration.minutes(5) });
    }
    return undefined;
  }
}

/** The AWS service integration of a route, with its request model and the headers it requires. */
function integrationOf(route: FrontDoorRoute, role: iam.IRole, timeout: Duration | undefined): RestIntegrationSpec {
  const backend = route._target().backend;
  const responses = (success: string): apigateway.IntegrationResponse[] => [
    { statusCode: '200', responseTemplates: { [JSON_TYPE]: success } },
    { statusCode: '500', selectionPattern: '4\\d{2}', responseTemplates: { [JSON_TYPE]: t.backendRefusedResponse(backend) } },
    { statusCode: '503', selectionPattern: '5\\d{2}', responseTemplates: { [JSON_TYPE]: t.backendUnavailableResponse(backend) } },
  ];
  const jsonProtocol = (target: string, contentType: string) => ({
    'integration.request.header.Content-Type': `'${contentType}'`,
    'integration.request.header.X-Amz-Target': `'${target}'`,
  });
  const options = (requestParameters: Record<string, string>, template: string, success: string): apigateway.IntegrationOptions => ({
    credentialsRole: role,
    passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
    requestParameters,
    requestTemplates: { [JSON_TYPE]: template },
    integrationResponses: responses(success),
    timeout,
  });
  const fields = (...values: Array<FrontDoorValue | undefined>) => values.filter(v => v?.kind === 'BODY_FIELD').map(v => v!.name);
  const headers = (...values: Array<FrontDoorValue | undefined>) => values.filter(v => v?.kind === 'HEADER').map(v => v!.name);

  if (route instanceof QueueRoute) {
    const { queue, messageGroupId, deduplicationId } = route.options;
    const fifo = queue.fifo && messageGroupId
      ? { groupId: source(messageGroupId), deduplicationId: source(deduplicationId ?? FrontDoorValue.requestId()) }
      : undefined;
    return {
      integration: new apigateway.AwsIntegration({
        service: 'sqs',
        integrationHttpMethod: 'POST',
        path: `${queue.env.account}/${queue.queueName}`,
        options: options({ 'integration.request.header.Content-Type': '\'application/x-www-form-urlencoded\'' }, t.sendMessageRequest(fifo), t.sendMessageResponse(!!fifo)),
      }),
      schema: routeSchema(route.options.requestSchema, fields(messageGroupId, deduplicationId)),
      requiredHeaders: headers(messageGroupId, deduplicationId),
    };
  }
  if (route instanceof StreamRoute) {
    const { stream, partitionKey, batch } = route.options;
    const action = batch ? 'PutRecords' : 'PutRecord';
    return {
      integration: new apigateway.AwsIntegration({
        service: 'kinesis',
        action,
        options: options(jsonProtocol(`Kinesis_20131202.${action}`, 'application/x-amz-json-1.1'),
          batch ? t.putRecordsRequest(stream.streamName, partitionKey.name) : t.putRecordRequest(stream.streamName, source(partitionKey)),
          batch ? t.PUT_RECORDS_RESPONSE : t.PUT_RECORD_RESPONSE),
      }),
      schema: routeSchema(route.options.requestSchema, fields(partitionKey), batch ? 'records' : undefined),
      requiredHeaders: headers(partitionKey),
    };
  }
  if (route instanceof EventBusRoute) {
    const { eventBus, source: eventSource, detailType } = route.options;
    return {
      integration: new apigateway.AwsIntegration({
        service: 'events',
        action: 'PutEvents',
        options: options(jsonProtocol('AWSEvents.PutEvents', 'application/x-amz-json-1.1'),
          t.putEventsRequest(eventBus.eventBusName, eventSource, detailType), t.PUT_EVENTS_RESPONSE),
      }),
      schema: routeSchema(route.options.requestSchema, []),
      requiredHeaders: [],
    };
  }
  const { stateMachine, synchronous } = (route as WorkflowRoute).options;
  const action = synchronous ? 'StartSyncExecution' : 'StartExecution';
  return {
    integration: new apigateway.AwsIntegration({
      service: 'states',
      subdomain: synchronous ? 'sync-states' : undefined,
      action,
      options: options(jsonProtocol(`AWSStepFunctions.${action}`, 'application/x-amz-json-1.0'),
        t.startExecutionRequest(stateMachine.stateMachineArn), synchronous ? t.START_SYNC_EXECUTION_RESPONSE : t.START_EXECUTION_RESPONSE),
    }),
    schema: routeSchema(route.options.requestSchema, []),
    requiredHeaders: [],
  };
}

function source(value: FrontDoorValue): t.ValueSource {
  return value.kind === 'BODY_FIELD' ? t.bodyFieldSource(value.name) : value.kind === 'HEADER' ? t.headerSource(value.name) : t.REQUEST_ID_SOURCE;
}

/** Throttling with the API's values filled in. */
export function resolveThrottling(own: FrontDoorThrottling | undefined, fallback: ResolvedThrottling): ResolvedThrottling {
  return { rateLimit: own?.rateLimit ?? fallback.rateLimit, burstLimit: own?.burstLimit ?? fallback.burstLimit };
}
