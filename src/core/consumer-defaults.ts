import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConsumerFunctionOptions } from './consumer-function';
import { checkDurationInRange, checkNumberInRange } from './validation';

/**
 * The Node.js runtime every bundled handler is built for (the newest Lambda offers).
 */
export const CONSUMER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * What {@link consumerFunctionProps} returns: props for `lambda.Function` (or a projen-generated
 * handler construct) plus the resources it made so callers can expose them.
 *
 * Internal to the library.
 */
export interface ConsumerFunctionParts {
  readonly props: lambda.FunctionOptions;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * The one place consumer defaults live: runtime settings, a log group with retention, JSON
 * logs, and a role that may write only to that log group (no AWSLambdaBasicExecutionRole,
 * whose `logs:*` on every group is broader than a consumer needs).
 */
export function consumerFunctionProps(scope: Construct, id: string, options: ConsumerFunctionOptions = {}): ConsumerFunctionParts {
  checkNumberInRange(scope, 'memorySize', options.memorySize, { min: 128, max: 10_240, unit: 'MB' });
  checkDurationInRange(scope, 'timeout', options.timeout, { min: Duration.seconds(1), max: Duration.minutes(15) });

  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: options.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${scope.node.path}/${id}`,
  });
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  return {
    role,
    logGroup,
    props: {
      memorySize: options.memorySize ?? 256,
      timeout: options.timeout ?? Duration.seconds(30),
      architecture: options.architecture ?? lambda.Architecture.ARM_64,
      tracing: options.tracing ?? lambda.Tracing.DISABLED,
      environmentEncryption: options.environmentEncryption,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: options.applicationLogLevel ?? lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup,
      role,
    },
  };
}
