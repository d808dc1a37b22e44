import { Duration } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RealtimeSchema } from './schema';
import { AlarmOptions } from '../../monitoring/alarm-options';
import { DashboardOptions } from '../../monitoring/dashboard-options';

/**
 * Properties of a {@link RealtimeApi}.
 */
export interface RealtimeApiProps extends AlarmOptions, DashboardOptions {
  /**
   * The GraphQL schema, from a file or a string; parsed and checked at synth time.
   */
  readonly schema: RealtimeSchema;

  /**
   * Name of the API (1 to 65,536 characters: letters, digits, spaces, `_` and `-`).
   *
   * @default - the construct id
   */
  readonly apiName?: string;

  /**
   * Who may call the API. IAM is the default mode: backend callers (EventBridge, Lambda) sign
   * with SigV4 and are allowed per field by `grantQuery` / `grantMutation` / `grantSubscription`.
   * Cognito user pools and OIDC are for end users; API keys are opt-in (an API_KEY mode) and must
   * expire within 1 to 365 days (`apiKeyConfig.expires`, AWS's range).
   *
   * @default - IAM only
   */
  readonly authorizationConfig?: appsync.AuthorizationConfig;

  /**
   * Field-level resolver logging. ERROR logs only failing fields: ALL writes every request and
   * response (with the data in them) and costs a log event per field.
   *
   * @default appsync.FieldLogLevel.ERROR
   */
  readonly fieldLogLevel?: appsync.FieldLogLevel;

  /**
   * Leave request and response details (headers, context, resolver requests and results) out of
   * the field logs. They are written only for the fields the log level covers (ERROR: failing
   * fields), and they are what explains a failure; turn them off when payloads hold data that
   * must not reach logs.
   *
   * @default false
   */
  readonly excludeVerboseContent?: boolean;

  /**
   * How long the API's logs are kept, in a log group the construct owns
   * (`/aws/appsync/apis/<apiId>`): no Custom::LogRetention Lambda.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * AWS X-Ray tracing of requests.
   *
   * @default false
   */
  readonly xrayEnabled?: boolean;

  /**
   * ARN of a REGIONAL AWS WAF web ACL to associate (a CLOUDFRONT-scoped ACL cannot protect an
   * AppSync API).
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * Alarm when the p99 latency of requests stays above this for 3 of 5 minutes.
   * A token (e.g. a CfnParameter) must be given in milliseconds, `Duration.millis(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * @default Duration.seconds(1)
   */
  readonly latencyThreshold?: Duration;

  /**
   * Alarm when more than this percentage of requests fail with a client error (4XX) for 3 of
   * 5 minutes. Range: 0 to 100.
   *
   * @default 5
   */
  readonly clientErrorRateThreshold?: number;
}
