import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { grantCloudWatchOnAlarmTopicKey } from './alarm-topic';

/** What an alarm watches and when it fires. Internal to the library. */
export interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  /** Fires when the metric is greater than this value (unless `comparisonOperator` says otherwise). */
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /** Missing data means "nothing happened" for the counters we alarm on. */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  readonly description: string;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Creates an alarm and wires the optional SNS action for both ALARM and OK, so on-call hears
 * when a problem starts and when it ends. The one place alarms are made.
 */
export function createAlarm(scope: Construct, id: string, spec: AlarmSpec): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: spec.metric,
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    comparisonOperator: spec.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: spec.description,
  });
  if (spec.alarmTopic) {
    grantCloudWatchOnAlarmTopicKey(spec.alarmTopic);
    const action = new actions.SnsAction(spec.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarm;
}
