import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IdempotentRecorderFunction } from '../../src/architectures/handlers/idempotent-recorder-function';
import { consumerFunctionProps, CONSUMER_RUNTIME } from '../../src/core/consumer/consumer-defaults';
import { newStack, templateOf } from '../support';

describe('consumer function defaults', () => {
  const stack = newStack();
  const parts = consumerFunctionProps(stack, 'Worker');
  new IdempotentRecorderFunction(stack, 'Worker', parts.props);
  const template = templateOf(stack);

  test('the newest Node.js runtime on arm64, 256 MB, 30 s', () => {
    expect(CONSUMER_RUNTIME.name).toBe('nodejs24.x');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      Handler: 'index.handler',
    });
  });

  test('JSON logs at INFO into a log group kept one month', () => {
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: logGroupId } },
    });
  });

  test('no tracing by default', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
  });

  test('the role may only write to its own log group (no managed policies)', () => {
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }] },
    });
  });
});

test('every consumer option reaches the function', () => {
  const stack = newStack();
  const parts = consumerFunctionProps(stack, 'Worker', {
    memorySize: 1024,
    timeout: Duration.minutes(2),
    architecture: lambda.Architecture.X86_64,
    logRetention: logs.RetentionDays.ONE_WEEK,
    applicationLogLevel: lambda.ApplicationLogLevel.DEBUG,
    tracing: lambda.Tracing.ACTIVE,
  });
  new IdempotentRecorderFunction(stack, 'Worker', parts.props);
  // Not templateOf(): active tracing adds X-Ray's `xray:Put*` on `*` (the X-Ray API has no
  // resource-level permissions), which cdk-nag flags; users who turn tracing on acknowledge it.
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Lambda::Function', {
    MemorySize: 1024,
    Timeout: 120,
    Architectures: ['x86_64'],
    TracingConfig: { Mode: 'Active' },
    LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'DEBUG' }),
  });
  template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
});
