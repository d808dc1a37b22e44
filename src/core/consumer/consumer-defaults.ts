import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConsumerCodeOptions, ConsumerFunctionOptions } from './consumer-options';
import { consumerCodeRules, consumerFunctionRules } from './consumer-rules';
import { validateProps } from '../validation';

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
export function consumerFunctionProps(scope: Construct, id: string, options: ConsumerFunctionOptions = {}, prefix = ''): ConsumerFunctionParts {
  validateProps(scope, options, consumerFunctionRules(prefix));

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

/**
 * Checks a consumer given as code + handler or as a function of the user's (`prop` names it in
 * errors, e.g. `consumer`): not both, and no function settings next to an existing function.
 */
export function checkConsumerCode(scope: Construct, prop: string, consumer: ConsumerCodeOptions): void {
  // The code/function rule only: the function settings are checked where the caller checks its consumer.
  validateProps(scope, consumer, consumerCodeRules(`${prop}.`).slice(0, 1));
}

/** The user's function, or a new one built from `code` + `handler` with the consumer defaults. */
export function consumerFunction(scope: Construct, id: string, consumer: ConsumerCodeOptions, description: string): lambda.IFunction {
  if (consumer.function) return consumer.function;
  const parts = consumerFunctionProps(scope, id, consumer);
  return new lambda.Function(scope, id, {
    ...parts.props,
    code: consumer.code!,
    handler: consumer.handler!,
    runtime: consumer.runtime ?? CONSUMER_RUNTIME,
    environment: consumer.environment,
    description,
  });
}
