import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * A building block that monitors itself: its alarms, and widgets for a pattern's dashboard.
 */
export interface IMonitoredBlock {
  /** The alarms the block created (empty when its alarms are disabled). */
  readonly alarms: cloudwatch.IAlarm[];
  /** Widgets that show the block's health, for a `PatternDashboard`. */
  dashboardWidgets(): cloudwatch.IWidget[];
}

