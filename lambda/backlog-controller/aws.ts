/**
 * The controller's port on AWS SDK v3 (SQS, ECS, CloudWatch clients, bundled). The clients honour
 * the SDK's standard configuration (AWS_REGION, credentials, AWS_ENDPOINT_URL for emulators).
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ControllerPort } from './controller';

export function awsPort(): ControllerPort {
  const sqs = new SQSClient({});
  const ecs = new ECSClient({});
  const cloudwatch = new CloudWatchClient({});
  return {
    async queueDepth(queueUrl) {
      const out = await sqs.send(new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }));
      const count = (name: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible') => {
        const value = Number(out.Attributes?.[name]);
        if (!Number.isFinite(value)) throw new Error(`GetQueueAttributes for ${queueUrl} returned no ${name}`);
        return value;
      };
      return { visible: count('ApproximateNumberOfMessages'), inFlight: count('ApproximateNumberOfMessagesNotVisible') };
    },
    async service(cluster, service) {
      const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
      const found = out.services?.find(s => s.serviceName === service || s.serviceArn?.endsWith(`/${service}`));
      if (!found) {
        const why = out.failures?.map(f => `${f.arn}: ${f.reason}`).join('; ') ?? 'not found';
        throw new Error(`DescribeServices: service ${service} in cluster ${cluster}: ${why}`);
      }
      return { desired: found.desiredCount ?? 0, running: found.runningCount ?? 0, pending: found.pendingCount ?? 0 };
    },
    async setDesired(cluster, service, desired) {
      await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: desired }));
    },
    async publish(namespace, scalingName, values) {
      const timestamp = new Date();
      await cloudwatch.send(new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: Object.entries(values).map(([name, value]) => ({
          MetricName: name,
          Dimensions: [{ Name: 'Scaling', Value: scalingName }],
          Timestamp: timestamp,
          Value: value,
          Unit: 'Count',
        })),
      }));
    },
  };
}
