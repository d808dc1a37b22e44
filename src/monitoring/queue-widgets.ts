import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueMetrics } from './queue-metrics';

/** Internal: the widgets of a queue and its dead-letter queue. */
export function queueWidgets(title: string, queue: sqs.IQueue, deadLetterQueue?: sqs.IQueue): cloudwatch.IWidget[] {
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({
      title: `${title}: traffic`,
      left: [QueueMetrics.sentMessages(queue), QueueMetrics.deletedMessages(queue)],
      right: [QueueMetrics.visibleMessages(queue), QueueMetrics.inFlightMessages(queue)],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: `${title}: lag`,
      left: [QueueMetrics.ageOfOldestMessage(queue)],
      right: [QueueMetrics.minutesToDrain(queue)],
      width: 6,
    }),
  ];
  if (deadLetterQueue) {
    widgets.push(new cloudwatch.SingleValueWidget({
      title: `${title}: dead letters`,
      metrics: [QueueMetrics.visibleMessages(deadLetterQueue)],
      width: 6,
    }));
  }
  return widgets;
}
