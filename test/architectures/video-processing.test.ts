import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { VideoProcessingStack, VideoProcessingStackProps } from '../../src';
import { buildArchitecture, expectBadInput, nagFindings } from '../support';

const build = (props: VideoProcessingStackProps = {}) => buildArchitecture(VideoProcessingStack, 'VideoProcessing', props);

describe('VideoProcessingStack', () => {
  const { stack, template } = build();
  const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId((c instanceof CfnElement ? c : c.node.defaultChild) as CfnElement);
  const workers = stack.workers!;
  const queueArn = { 'Fn::GetAtt': [logicalId(workers.queue), 'Arn'] };
  const uploadBucketArn = { 'Fn::GetAtt': [logicalId(stack.uploadBucket), 'Arn'] };

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('front end: HTTP API, POST /uploads with IAM authorization, access logs, throttling → presign function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /uploads', AuthorizationType: 'AWS_IAM' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ UPLOAD_BUCKET: { Ref: logicalId(stack.uploadBucket) }, KEY_PREFIX: 'uploads/' }) },
    });
  });

  test('the front end may put objects under uploads/ only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [uploadBucketArn, '/uploads/*']] } }]) },
    });
  });

  test('upload bucket: ObjectCreated under uploads/ → jobs queue; the queue lets only that bucket send', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalId(stack.uploadBucket) },
      NotificationConfiguration: {
        QueueConfigurations: [{
          Events: ['s3:ObjectCreated:*'], QueueArn: queueArn, Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
        }],
      },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(workers.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 's3.amazonaws.com' }, Condition: { ArnLike: { 'aws:SourceArn': uploadBucketArn } },
        })]),
      },
    });
  });

  test('workers: Fargate 1 vCPU / 2 GB from the transcoder image asset, environment for the runtime and the job', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '2048',
      ContainerDefinitions: [Match.objectLike({
        Image: { 'Fn::Sub': Match.stringLikeRegexp('cdk-hnb659fds-container-assets') },
        Environment: Match.arrayWith([
          { Name: 'OUTPUT_BUCKET', Value: { Ref: logicalId(stack.outputBucket) } },
          { Name: 'COMPLETION_TOPIC_ARN', Value: { Ref: logicalId(stack.completionTopic.topic) } },
          { Name: 'QUEUE_URL', Value: { Ref: logicalId(workers.queue) } },
          { Name: 'VISIBILITY_TIMEOUT_SECONDS', Value: '300' },
          { Name: 'HEARTBEAT_INTERVAL_SECONDS', Value: '60' },
        ]),
      })],
    });
    const assets = JSON.stringify(stack.node.findAll().filter(c => c.node.id === 'AssetImage').map(c => c.node.path));
    expect(assets).toContain('Transcoders');
  });

  test('task role: consume the queue, read uploads, write outputs, publish completions (with the topic key)', () => {
    const statements = JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(workers.taskRole) }] } }));
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', '"s3:GetObject"', '"s3:PutObject"', '"sns:Publish"', '"kms:GenerateDataKey"']) {
      expect(statements).toContain(action);
    }
    expect(statements).not.toContain('s3:*');
    expect(statements).not.toContain('s3:DeleteObject');
  });

  test('scaling: target 10 videos per worker (10 min / 1 min), 0 to 20 tasks, set every minute by the BacklogScaling controller', () => {
    expect(workers.scaling.targetBacklogPerWorker).toBe(10);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TARGET_BACKLOG_PER_WORKER: '10', MIN_WORKERS: '0', MAX_WORKERS: '20', INCLUDE_IN_FLIGHT: 'true' }) },
    });
  });

  test('every alarm notifies the alarm topic, and every metric alarm has dimensions', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const alarmTopic = { Ref: logicalId(stack.alarmTopic.topic) };
    const notifying = alarms.filter(a => JSON.stringify(a.Properties.AlarmActions ?? []).includes(JSON.stringify(alarmTopic)));
    // jobs queue: age + DLQ; scaling: at max workers; completion topic: failed deliveries; alarm topic: its own
    expect(notifying.length).toBeGreaterThanOrEqual(4);
    for (const alarm of alarms) {
      const metrics = alarm.Properties.Metrics ?? [{ MetricStat: { Metric: { Dimensions: alarm.Properties.Dimensions } } }];
      for (const m of metrics.filter((x: { MetricStat?: unknown }) => x.MetricStat)) {
        expect(m.MetricStat.Metric.Dimensions?.length ?? 0).toBeGreaterThan(0);
      }
    }
  });

  test('outputs', () => {
    expect(Object.keys(template.findOutputs('*'))).toEqual(expect.arrayContaining([
      'ApiUrl', 'UploadBucketName', 'OutputBucketName', 'JobsQueueUrl', 'JobsDeadLetterQueueUrl', 'CompletionTopicArn', 'ClusterName', 'ServiceName',
    ]));
  });

  test('options: scaling, width and worker size', () => {
    const custom = build({
      scaling: { targetBacklogPerWorker: 3, maxWorkers: 100 }, outputWidth: 640, workerCpu: 2048, workerMemoryLimitMiB: 4096,
    });
    custom.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TARGET_BACKLOG_PER_WORKER: '3', MAX_WORKERS: '100' }) } });
    custom.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '2048', ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'OUTPUT_WIDTH', Value: '640' }]) })],
    });
    expectBadInput({
      build: () => build({ outputWidth: 8000 }),
      path: 'VideoProcessing',
      code: 'VIDEO_PROCESSING_OUTPUT_WIDTH',
      prop: 'outputWidth',
      value: '8000',
      allowed: 'a whole number from 16 to 7,680',
      fix: 'set outputWidth to a whole number from 16 to 7,680',
    });
    expectBadInput({
      build: () => build({ scaling: { acceptableLatency: Duration.seconds(30), averageProcessingTime: Duration.minutes(2) } }),
      path: 'VideoProcessing/Transcoders',
      code: 'BACKLOG_SCALING_LATENCY_UNDER_PROCESSING',
      prop: 'scaling.averageProcessingTime',
      value: '2 minutes (120 s) with scaling.acceptableLatency 30 seconds',
      allowed: 'less than scaling.acceptableLatency (30 seconds)',
      fix: 'raise scaling.acceptableLatency above the processing time',
    });
  });

  test('snapshot', () => {
    // The image tag is the hash of the worker bundle (lambda/queue-worker, lambda/video-transcoder),
    // which has tests of its own; the snapshot pins the architecture, so the tag is normalised.
    const json = JSON.stringify(template.toJSON()).replace(/(container-assets-111111111111-us-east-1:)[0-9a-f]{64}/g, '$1<transcoder image hash>');
    expect(JSON.parse(json)).toMatchSnapshot();
  });
});

/** A CloudFormation value as a string: literals as they are, intrinsics as `${Ref:X}` / `${GetAtt:X.Y}`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return `\${Ref:${v.Ref}}`;
  if (v['Fn::GetAtt']) return `\${GetAtt:${v['Fn::GetAtt'].join('.')}}`;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(flatten).join(v['Fn::Join'][0]);
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

describe('VideoProcessingStack without the transcoder fleet (deployWorkers: false, the local profile)', () => {
  const props = { visibilityTimeout: Duration.seconds(20), heartbeatInterval: Duration.seconds(5) };
  const { stack, template } = build({ ...props, deployWorkers: false });
  const withFleet = build(props);

  test('nothing that needs Docker or ECS: no cluster, service, task definition, image asset, VPC or scaling', () => {
    for (const type of ['AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::EC2::VPC', 'AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::ApplicationAutoScaling::ScalingPolicy']) {
      expect([type, Object.keys(template.findResources(type)).length]).toEqual([type, 0]);
    }
    expect(stack.workers).toBeUndefined();
    expect(stack.node.findAll().filter(c => c.node.id === 'AssetImage')).toEqual([]);
    expect(Object.keys(template.findOutputs('*'))).not.toContain('ClusterName');
  });

  test('everything else is deployed as with the fleet, under the same logical IDs (jobs queue, DLQ, buckets, API, function, topics, notification)', () => {
    const without = template.toJSON().Resources as Record<string, { Type: string }>;
    const full = withFleet.template.toJSON().Resources as Record<string, { Type: string }>;
    const only = (types: string[]) => (r: Record<string, { Type: string }>) =>
      Object.entries(r).filter(([, x]) => types.includes(x.Type)).map(([id]) => id).sort();
    const kept = only(['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::S3::Bucket', 'AWS::SNS::Topic', 'AWS::Lambda::Function', 'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Route', 'AWS::ApiGatewayV2::Stage', 'Custom::S3BucketNotifications', 'AWS::KMS::Key']);
    // The scaling controller (a Lambda run by a schedule) belongs to the fleet: it leaves with it.
    const fleetOnly = (id: string) => id.startsWith('TranscodersScaling');
    expect(kept(without)).toEqual(kept(full).filter(id => !fleetOnly(id)));
    expect(kept(full).filter(fleetOnly)).toEqual(['TranscodersScalingControllerFunction796CD6C5']);
    expect(kept(without).length).toBeGreaterThanOrEqual(12);
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 20, RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
  });

  test('contract: the WorkerEnvironment output is exactly the environment the task definition gives the worker', () => {
    const output = template.findOutputs('WorkerEnvironment').WorkerEnvironment.Value;
    const local = JSON.parse(flatten(output)) as Record<string, string>;
    const [taskDefinition] = Object.values(withFleet.template.findResources('AWS::ECS::TaskDefinition')) as any[];
    const container = taskDefinition.Properties.ContainerDefinitions[0];
    const task = Object.fromEntries((container.Environment as Array<{ Name: string; Value: unknown }>).map(e => [e.Name, flatten(e.Value)]));
    expect(local).toEqual(task);
    expect(local).toMatchObject({ VISIBILITY_TIMEOUT_SECONDS: '20', HEARTBEAT_INTERVAL_SECONDS: '5', WORKER_CONCURRENCY: '1', OUTPUT_WIDTH: '320' });
    expect(Object.keys(stack.workerEnvironment).sort()).toEqual(Object.keys(withFleet.stack.workerEnvironment).sort());
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('bad input: a visibility timeout SQS refuses, without the fleet (no QueueWorkerService to check it)', () => {
    expectBadInput({
      build: scope => new VideoProcessingStack(scope.node.root as App, 'BadVisibility', {
        deployWorkers: false, visibilityTimeout: Duration.hours(13),
      }),
      path: 'BadVisibility',
      code: 'VIDEO_PROCESSING_VISIBILITY_TIMEOUT',
      prop: 'visibilityTimeout',
      value: '13 hours',
      allowed: '10 seconds to 12 hours',
      fix: 'visibilityTimeout',
    });
  });

  test('bad input: a heartbeat that is not shorter than the visibility timeout', () => {
    expectBadInput({
      build: scope => new VideoProcessingStack(scope.node.root as App, 'BadVideo', {
        deployWorkers: false, visibilityTimeout: Duration.seconds(20), heartbeatInterval: Duration.seconds(20),
      }),
      path: 'BadVideo',
      code: 'VIDEO_PROCESSING_HEARTBEAT_INTERVAL',
      prop: 'heartbeatInterval',
      value: '20 seconds with visibilityTimeout 20 seconds',
      allowed: 'less than visibilityTimeout',
      fix: 'lower heartbeatInterval',
    });
  });
});

