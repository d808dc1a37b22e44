import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * Step Functions execution metrics of one state machine (namespace AWS/States, dimension
 * StateMachineArn: without the dimension an alarm watches nothing and never fires).
 */
export class WorkflowMetrics {
  /** Executions started. */
  public static started(sm: sfn.IStateMachine): cloudwatch.Metric {
    return WorkflowMetrics.sum(sm, 'ExecutionsStarted');
  }
  /** Executions that succeeded. */
  public static succeeded(sm: sfn.IStateMachine): cloudwatch.Metric {
    return WorkflowMetrics.sum(sm, 'ExecutionsSucceeded');
  }
  /** Executions that failed. */
  public static failed(sm: sfn.IStateMachine): cloudwatch.Metric {
    return WorkflowMetrics.sum(sm, 'ExecutionsFailed');
  }
  /** Executions that ran past their timeout. */
  public static timedOut(sm: sfn.IStateMachine): cloudwatch.Metric {
    return WorkflowMetrics.sum(sm, 'ExecutionsTimedOut');
  }
  /** Executions stopped by StopExecution (someone or something aborted them). */
  public static aborted(sm: sfn.IStateMachine): cloudwatch.Metric {
    return WorkflowMetrics.sum(sm, 'ExecutionsAborted');
  }
  /** Start requests Step Functions throttled. */
  public static throttled(sm: sfn.IStateMachine): cloudwatch.Metric {
    return WorkflowMetrics.sum(sm, 'ExecutionThrottled');
  }
  /** Execution time in milliseconds, p99. */
  public static executionTimeP99(sm: sfn.IStateMachine): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/States',
      metricName: 'ExecutionTime',
      dimensionsMap: { StateMachineArn: sm.stateMachineArn },
      statistic: 'p99',
      period: Duration.minutes(5),
    });
  }

  private static sum(sm: sfn.IStateMachine, metricName: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/States',
      metricName,
      dimensionsMap: { StateMachineArn: sm.stateMachineArn },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }
}
