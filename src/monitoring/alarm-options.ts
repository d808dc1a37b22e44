import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Alarm settings every monitored block and pattern accepts.
 */
export interface AlarmOptions {
  /**
   * Create the block's alarms.
   *
   * @default true
   */
  readonly alarmsEnabled?: boolean;

  /**
   * Topic notified when an alarm changes to ALARM or back to OK.
   *
   * @default - alarms have no action
   */
  readonly alarmTopic?: sns.ITopic;
}
