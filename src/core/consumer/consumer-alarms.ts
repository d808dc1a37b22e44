import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { createAlarm } from '../../monitoring/alarm-factory';
import { FunctionMetrics } from '../../monitoring/function-metrics';

/** What {@link consumerAlarms} needs. Internal to the library. */
export interface ConsumerAlarmsInput {
  /** The consumer function. */
  readonly fn: lambda.IFunction;
  /** Construct ids of the two alarms (kept per pattern so templates stay stable). */
  readonly errorsId: string;
  readonly throttlesId: string;
  /** What failing invocations mean for this pattern's messages. */
  readonly errorsDescription: string;
  /** What throttling means and how to fix it. */
  readonly throttlesDescription: string;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * THE consumer alarm pair of every queue -> Lambda pairing: errors (2 of 3 minutes with an
 * error) and throttles (3 of 5 minutes throttled), both with the function's dimension.
 */
export function consumerAlarms(scope: Construct, input: ConsumerAlarmsInput): cloudwatch.Alarm[] {
  return [
    createAlarm(scope, input.errorsId, {
      metric: FunctionMetrics.errors(input.fn),
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: input.errorsDescription,
      alarmTopic: input.alarmTopic,
    }),
    createAlarm(scope, input.throttlesId, {
      metric: FunctionMetrics.throttles(input.fn),
      threshold: 0,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: input.throttlesDescription,
      alarmTopic: input.alarmTopic,
    }),
  ];
}
