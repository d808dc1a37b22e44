import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { check, checkNotSetWith, checkNumberInRange } from '../../core/validation';

/** How callers of the front door authenticate. */
export enum FrontDoorAuthorization {
  /** SigV4-signed requests; grant callers `execute-api:Invoke` with `grantInvoke`. */
  IAM = 'IAM',
  /** An API key in the `x-api-key` header, with a usage plan that throttles and caps the key. */
  API_KEY = 'API_KEY',
}

/**
 * Settings of the REST front door that sends requests straight to the queue.
 */
export interface WriteBufferFrontDoorOptions {
  /**
   * Path of the POST resource, e.g. `orders` for `POST /orders`.
   *
   * @default 'messages'
   */
  readonly resourcePath?: string;

  /**
   * How callers authenticate.
   *
   * @default FrontDoorAuthorization.IAM
   */
  readonly authorization?: FrontDoorAuthorization;

  /**
   * Steady-state requests per second the stage accepts (API Gateway answers 429 above it).
   * Size it below what the queue's writers drain in a sustained way only if the buffer should
   * never grow; the buffer exists to absorb bursts, so the default is generous.
   *
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Requests the stage accepts in a burst above the rate.
   *
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * API_KEY only: requests per day one key may send (usage plan quota).
   *
   * @default - no quota
   */
  readonly dailyQuota?: number;

  /**
   * How long access logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * Write API Gateway execution logs (level ERROR) too. Needs the account-level API Gateway
   * CloudWatch role, which this construct does not create (it is one per account and region).
   *
   * @default false (access logs record every request with its status and error)
   */
  readonly executionLogging?: boolean;

  /**
   * AWS X-Ray tracing of the stage.
   *
   * @default false (the JSON access logs have each request's status, latency and error)
   */
  readonly tracingEnabled?: boolean;

  /**
   * ARN of an AWS WAFv2 web ACL (scope REGIONAL) to associate with the stage.
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * FIFO queues: the request body field whose value is the message group id (per-entity order),
   * e.g. `customerId`.
   *
   * @default - none; required for a FIFO queue
   */
  readonly messageGroupIdField?: string;

  /**
   * FIFO queues: the request body field whose value is the deduplication id (a retried request
   * with the same value is dropped for 5 minutes).
   *
   * @default - the API Gateway request id (each request is a new message)
   */
  readonly deduplicationIdField?: string;
}

/**
 * Properties of a {@link WriteBufferFrontDoor}.
 */
export interface WriteBufferFrontDoorProps extends WriteBufferFrontDoorOptions {
  /** The queue requests are sent to. */
  readonly queue: sqs.IQueue;

  /**
   * JSON schema of the request body; requests that do not match get 400 before they reach the queue.
   *
   * @default - any JSON object
   */
  readonly requestSchema?: apigateway.JsonSchema;
}

/**
 * A REST API whose `POST /<resourcePath>` sends the request body straight to an SQS queue
 * (an AWS service integration; no Lambda in between): request model and validator, stage
 * throttling, JSON access logs, IAM or API-key authorization.
 */
export class WriteBufferFrontDoor extends Construct {
  /** The REST API. */
  public readonly api: apigateway.RestApi;
  /** The POST method that sends to the queue. */
  public readonly method: apigateway.Method;
  /** The role API Gateway assumes to send to the queue. */
  public readonly integrationRole: iam.Role;
  /** The access log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The API key, with FrontDoorAuthorization.API_KEY. */
  public readonly apiKey?: apigateway.IApiKey;
  /** The usage plan, with FrontDoorAuthorization.API_KEY. */
  public readonly usagePlan?: apigateway.UsagePlan;

  constructor(scope: Construct, id: string, props: WriteBufferFrontDoorProps) {
    super(scope, id);
    const authorization = props.authorization ?? FrontDoorAuthorization.IAM;
    const rate = props.throttlingRateLimit ?? 100;
    const burst = props.throttlingBurstLimit ?? 200;
    checkNumberInRange(this, 'throttlingRateLimit', props.throttlingRateLimit, { min: 1, max: 10_000, integer: false, unit: 'requests/s' });
    checkNumberInRange(this, 'throttlingBurstLimit', props.throttlingBurstLimit, { min: 1, max: 5_000, unit: 'requests' });
    checkNumberInRange(this, 'dailyQuota', props.dailyQuota, { min: 1, max: 1_000_000_000, unit: 'requests' });
    if (authorization !== FrontDoorAuthorization.API_KEY) {
      checkNotSetWith(this, 'dailyQuota', props.dailyQuota, 'without FrontDoorAuthorization.API_KEY (quotas belong to API keys)',
        'set authorization: FrontDoorAuthorization.API_KEY, or remove dailyQuota');
    }
    const resourcePath = props.resourcePath ?? 'messages';
    check(this, /^[A-Za-z0-9._-]+$/.test(resourcePath), {
      prop: 'resourcePath', value: `"${resourcePath}"`, allowed: 'one path part of A-Z a-z 0-9 . _ -', fix: 'e.g. "orders"',
    });
    if (props.queue.fifo) {
      check(this, props.messageGroupIdField !== undefined, {
        prop: 'messageGroupIdField', value: 'undefined on a FIFO queue', allowed: 'a request body field name', fix: 'set messageGroupIdField, e.g. "customerId" (messages of one group keep their order)',
      });
      for (const [prop, value] of [['messageGroupIdField', props.messageGroupIdField], ['deduplicationIdField', props.deduplicationIdField]] as const) {
        check(this, value === undefined || /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(value), {
          prop, value: `"${value}"`, allowed: 'a body field name or dotted path of A-Z a-z 0-9 _', fix: 'e.g. "customerId" or "customer.id"',
        });
      }
    } else {
      for (const [prop, value] of [['messageGroupIdField', props.messageGroupIdField], ['deduplicationIdField', props.deduplicationIdField]] as const) {
        checkNotSetWith(this, prop, value, 'on a standard queue', `remove ${prop}, or use a FIFO queue`);
      }
    }

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: `Front door of ${scope.node.path}: POST /${resourcePath} sends the body to the queue`,
      cloudWatchRole: false,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      deployOptions: {
        throttlingRateLimit: rate,
        throttlingBurstLimit: burst,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: props.executionLogging ? apigateway.MethodLoggingLevel.ERROR : undefined,
        tracingEnabled: props.tracingEnabled ?? false,
      },
    });

    this.integrationRole = new iam.Role(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `API Gateway sends to the queue of ${scope.node.path}`,
    });
    props.queue.grantSendMessages(this.integrationRole);

    const model = this.api.addModel('MessageModel', {
      contentType: 'application/json',
      description: 'The message body the buffer accepts',
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, title: 'Message', ...(props.requestSchema ?? { type: apigateway.JsonSchemaType.OBJECT }) },
    });
    const validator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });

    const json = 'application/json';
    const integration = new apigateway.AwsIntegration({
      service: 'sqs',
      integrationHttpMethod: 'POST',
      path: `${props.queue.env.account}/${props.queue.queueName}`,
      options: {
        credentialsRole: this.integrationRole,
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestParameters: { 'integration.request.header.Content-Type': '\'application/x-www-form-urlencoded\'' },
        requestTemplates: { [json]: sendMessageTemplate(props) },
        integrationResponses: [
          {
            statusCode: '200',
            responseTemplates: { [json]: '{"messageId":"$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}' },
          },
          { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { [json]: '{"message":"the queue refused the message"}' } },
          { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { [json]: '{"message":"the queue is unavailable; retry"}' } },
        ],
      },
    });
    const resource = this.api.root.addResource(resourcePath);
    this.method = resource.addMethod('POST', integration, {
      authorizationType: authorization === FrontDoorAuthorization.IAM ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE,
      apiKeyRequired: authorization === FrontDoorAuthorization.API_KEY,
      requestValidator: validator,
      requestModels: { [json]: model },
      methodResponses: [{ statusCode: '200' }, { statusCode: '400' }, { statusCode: '500' }],
    });

    if (authorization === FrontDoorAuthorization.API_KEY) {
      this.usagePlan = this.api.addUsagePlan('UsagePlan', {
        description: `Callers of ${this.node.path}`,
        throttle: { rateLimit: rate, burstLimit: burst },
        quota: props.dailyQuota ? { limit: props.dailyQuota, period: apigateway.Period.DAY } : undefined,
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      this.apiKey = this.api.addApiKey('ApiKey', { description: `Key of ${this.node.path}` });
      this.usagePlan.addApiKey(this.apiKey);
      Validations.of(this.method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Authorization is an API key with a usage plan (FrontDoorAuthorization.API_KEY, chosen by the user); use FrontDoorAuthorization.IAM for SigV4 authorization.',
      });
    }
    Validations.of(this.method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: `The front door authorizes with ${authorization === FrontDoorAuthorization.IAM ? 'IAM (SigV4)' : 'an API key and usage plan'}, not a Cognito user pool: producers are services, not end users.`,
    });
    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: props.webAclArn });
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: 'No web ACL unless webAclArn is given: the stage throttles, every body is schema-validated and every caller authenticated (IAM or API key); a WAF is the user\'s choice and cost.',
      });
    }
    if (!props.executionLogging) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG6',
        reason: 'Access logs (JSON, every request with status and error) are on; execution logs need the account-wide API Gateway CloudWatch role, which a library construct must not own: set executionLogging: true once the account has it.',
      });
    }
  }

  /** Lets `grantee` call the front door (FrontDoorAuthorization.IAM). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.api.arnForExecuteApi('POST', this.method.resource.path, this.api.deploymentStage.stageName)],
    });
  }
}

/** The SQS query-API request: the raw body as the message (FIFO: group and deduplication ids from the body). */
function sendMessageTemplate(props: WriteBufferFrontDoorProps): string {
  const parts = ['Action=SendMessage', 'MessageBody=$util.urlEncode($input.body)'];
  if (props.queue.fifo && props.messageGroupIdField) {
    parts.push(`MessageGroupId=$util.urlEncode($input.path('$.${props.messageGroupIdField}'))`);
    parts.push(props.deduplicationIdField
      ? `MessageDeduplicationId=$util.urlEncode($input.path('$.${props.deduplicationIdField}'))`
      : 'MessageDeduplicationId=$context.requestId');
  }
  return parts.join('&');
}

