import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConsumerCodeOptions, ConsumerFunctionOptions } from './consumer-options';
import { check, checkDurationInRange, checkNotSetWith, checkNumberInRange } from '../validation';

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

/**
 * Checks a consumer given as code + handler or as a function of the user's (`prop` names it in
 * errors, e.g. `consumer`): not both, and no function settings next to an existing function.
 */
export function checkConsumerCode(scope: Construct, prop: string, consumer: ConsumerCodeOptions): void {
  if (consumer.function) {
    checkNotSetWith(scope, `${prop}.code`, consumer.code, `together with ${prop}.function`, 'give either code + handler (a new function) or function (yours)');
    const options: Array<[string, unknown]> = [
      ['handler', consumer.handler], ['runtime', consumer.runtime], ['environment', consumer.environment],
      ['memorySize', consumer.memorySize], ['timeout', consumer.timeout], ['architecture', consumer.architecture],
      ['logRetention', consumer.logRetention], ['applicationLogLevel', consumer.applicationLogLevel],
      ['tracing', consumer.tracing], ['environmentEncryption', consumer.environmentEncryption],
    ];
    for (const [option, value] of options) {
      checkNotSetWith(scope, `${prop}.${option}`, value, `when ${prop}.function is given (your function is not reconfigured)`,
        `set ${option} on your function, or give code + handler instead of function`);
    }
  } else {
    check(scope, consumer.code !== undefined && consumer.handler !== undefined, {
      prop,
      value: `code ${consumer.code ? 'given' : 'missing'}, handler ${consumer.handler ? `"${consumer.handler}"` : 'missing'}`,
      allowed: 'code and handler together (a new function), or function (an existing one)',
      fix: `give ${prop}.code (e.g. lambda.Code.fromAsset(...)) and ${prop}.handler (e.g. "index.handler"), or ${prop}.function`,
    });
  }
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
