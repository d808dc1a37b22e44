/**
 * The peer of `VideoProcessingStack`: the same architecture written the way a careful user
 * would write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources (70): an encrypted alarm topic that CloudWatch may publish to, an encrypted
 * completion topic, three buckets (access logs, uploads with CORS and a lifecycle, outputs),
 * a jobs queue with a dead-letter queue fed by the upload bucket's ObjectCreated events, a
 * 2-AZ public-subnet VPC with REJECT flow logs, an ECS cluster, a Fargate service running the
 * same transcoder image (the same Docker build context), the backlog controller (the same
 * bundle, run every minute by EventBridge Scheduler) with its alarms, the front end (HTTP API
 * with IAM authorization -> the same presign bundle), seven alarms and one dashboard.
 *
 * Like for like, property by property: queue names, redrive allow policy, key and role
 * descriptions, execution roles scoped to their log groups, the same task environment,
 * least-privilege task role, controller grants and alarm descriptions, and the same dashboard
 * (sections, widgets, annotations). The constants it needs (the controller's metric namespace,
 * the transcoder's build context) are copied, not imported.
 */
import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  alarmTopic, bufferQueue, bundle, dashboard, header, messagesKey, nodeFunction, ONE_MINUTE, queueAlarms, queueWidgets,
  section, SECURE_BUCKET_PROPS, TOPIC_FAILED_HELP,
} from './plain-parts';

/** Where the controller publishes its decisions (dimension `Scaling`). */
const METRIC_NAMESPACE = 'CdkIntegrationPatterns/BacklogScaling';
/** The transcoder's Docker build context (`npx projen bundle`). */
const TRANSCODER_CONTEXT = path.join(__dirname, '..', '..', 'assets', 'video-transcoder');
const MAX_WORKERS = 20;
/** Messages per worker: 1 video at a time x 10 minutes acceptable latency / 1 minute per video. */
const TARGET_BACKLOG_PER_WORKER = 10;

export class PlainVideoProcessingStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const p = this.node.path;
    // Server access logs through a bucket policy, not the legacy ACL.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const { alarm } = alarmTopic(this, 'AlarmsFailedNotificationsAlarm');
    const completionsKey = messagesKey(this, 'CompletionsKey', 'Completions');
    const completions = new sns.Topic(this, 'CompletionsTopic', { masterKey: completionsKey, enforceSSL: true });
    alarm(completions.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: ONE_MINUTE }), 'CompletionsFailedNotificationsAlarm',
      { alarmDescription: `${p}/Completions: ${TOPIC_FAILED_HELP}` });

    // Buckets: access logs, uploads (kept 30 days), outputs.
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', SECURE_BUCKET_PROPS);
    const uploadBucket = new s3.Bucket(this, 'UploadBucket', {
      ...SECURE_BUCKET_PROPS,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'uploads/',
      cors: [{ allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['content-type'], maxAge: 3000 }],
      lifecycleRules: [{
        abortIncompleteMultipartUploadAfter: Duration.days(1),
        expiration: Duration.days(30),
        noncurrentVersionExpiration: Duration.days(1),
      }],
    });
    const outputBucket = new s3.Bucket(this, 'OutputBucket', { ...SECURE_BUCKET_PROPS, serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'outputs/' });

    // Jobs queue (5-minute visibility, the worker's heartbeat extends it every minute).
    const jobs = bufferQueue(this, 'Jobs', 'Jobs', { visibilityTimeout: Duration.minutes(5), maxReceiveCount: 3 });
    const jobAlarms = queueAlarms(alarm, jobs, {
      queuePath: `${p}/Transcoders/Jobs`, maxReceiveCount: 3, ageAlarmId: 'JobsOldestMessageAgeAlarm', deadLetterAlarmId: 'JobsDeadLetterQueueNotEmptyAlarm',
    });

    // The transcoder fleet: VPC (public subnets, no NAT), cluster, Fargate service.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'workers', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      restrictDefaultSecurityGroup: false,
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.REJECT });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const workerLogs = new logs.LogGroup(this, 'WorkerLogGroup', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const taskRole = taskDefinition.taskRole;
    jobs.queue.grantConsumeMessages(taskRole);
    taskDefinition.addContainer('Worker', {
      image: ecs.ContainerImage.fromAsset(TRANSCODER_CONTEXT),
      environment: {
        OUTPUT_BUCKET: outputBucket.bucketName,
        COMPLETION_TOPIC_ARN: completions.topicArn,
        OUTPUT_WIDTH: '320',
        QUEUE_URL: jobs.queue.queueUrl,
        WORKER_CONCURRENCY: '1',
        VISIBILITY_TIMEOUT_SECONDS: '300',
        HEARTBEAT_INTERVAL_SECONDS: '60',
        SHUTDOWN_GRACE_SECONDS: '115',
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: workerLogs, streamPrefix: 'worker', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      stopTimeout: Duration.minutes(2),
      readonlyRootFilesystem: false,
    });
    const service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      enableExecuteCommand: false,
    });

    // The scaling controller: every minute, desired count from the backlog (scale to zero).
    const scalingName = `${p}/Transcoders/Scaling`;
    const controller = nodeFunction(this, 'ControllerFunction', {
      asset: bundle('backlog-controller'),
      rolePath: 'Transcoders/Scaling/Controller/Function',
      description: `Sets the desired count of ${p}/Transcoders/Service from the backlog of its queue (BacklogScaling controller)`,
      environment: {
        QUEUE_URL: jobs.queue.queueUrl,
        CLUSTER_NAME: cluster.clusterName,
        SERVICE_NAME: service.serviceName,
        METRIC_NAMESPACE,
        SCALING_NAME: scalingName,
        TARGET_BACKLOG_PER_WORKER: String(TARGET_BACKLOG_PER_WORKER),
        WORKER_CONCURRENCY: '1',
        MIN_WORKERS: '0',
        MAX_WORKERS: String(MAX_WORKERS),
        INCLUDE_IN_FLIGHT: 'true',
      },
    });
    controller.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [jobs.queue.queueArn] }));
    controller.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [service.serviceArn] }));
    controller.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
    }));
    controller.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: `Invokes the BacklogScaling controller of ${scalingName}`,
    });
    scheduleRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [controller.functionArn] }));
    new scheduler.CfnSchedule(this, 'ControllerSchedule', {
      description: `Runs the BacklogScaling controller of ${scalingName}`,
      scheduleExpression: 'rate(1 minute)',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: controller.functionArn,
        roleArn: scheduleRole.roleArn,
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });
    const decision = (metricName: string, statistic: string, period = ONE_MINUTE) => new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE, metricName, dimensionsMap: { Scaling: scalingName }, statistic, period,
    });
    const scalingAlarms = [
      alarm(controller.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 'ControllerErrorsAlarm', {
        alarmDescription: `${scalingName}: the scaling controller failed in the last 5 minutes; the fleet keeps its last size until it runs again. `
          + `Read the function's log group (${scalingName}/Controller/Function).`,
      }),
      alarm(decision('DesiredWorkers', 'SampleCount', Duration.minutes(5)), 'ControllerSilentAlarm', {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `${scalingName}: the scaling controller has published no decision for 5 minutes (schedule disabled, function throttled or failing); the fleet is not being sized.`,
      }),
      alarm(decision('NeededWorkers', 'Minimum'), 'AtMaxWorkersAlarm', {
        threshold: MAX_WORKERS,
        evaluationPeriods: 15,
        alarmDescription: `${scalingName}: the backlog has needed more than ${MAX_WORKERS} workers (maxWorkers) for 15 minutes (900 s); `
          + 'latency is now set by the limit, not the load. Raise maxWorkers or make processing faster.',
      }),
    ];

    // Exactly what a transcode does: read the upload, write the output, publish the completion.
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [uploadBucket.arnForObjects('uploads/*')] }));
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [outputBucket.arnForObjects('*')] }));
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [completions.topicArn] }));
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [completionsKey.keyArn] }));

    uploadBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(jobs.queue), { prefix: 'uploads/' });

    // Front end: presigned upload URLs behind an HTTP API with IAM authorization.
    const frontEnd = nodeFunction(this, 'FrontEnd', {
      asset: bundle('presign-upload'),
      rolePath: 'FrontEnd',
      description: 'Issues presigned S3 upload URLs for videos (POST /uploads)',
      environment: { UPLOAD_BUCKET: uploadBucket.bucketName, KEY_PREFIX: 'uploads/', URL_EXPIRES_SECONDS: '900' },
    });
    frontEnd.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [uploadBucket.arnForObjects('uploads/*')] }));
    const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const api = new apigwv2.HttpApi(this, 'Api', { description: 'Video uploads: POST /uploads returns a presigned PUT URL', createDefaultStage: true });
    api.addRoutes({
      path: '/uploads',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('PresignIntegration', frontEnd),
      authorizer: new HttpIamAuthorizer(),
    });
    const stage = api.defaultStage!.node.defaultChild as apigwv2.CfnStage;
    stage.accessLogSettings = {
      destinationArn: apiLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        caller: '$context.identity.caller',
        requestTime: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        responseLength: '$context.responseLength',
        integrationError: '$context.integrationErrorMessage',
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };

    // Dashboard: jobs queue, scaling, workers, front end.
    const d = dashboard(this, 'Dashboard',
      `# ${p}/Transcoders\nQueue workers on ECS Fargate, scaled on backlog per worker. Look first at backlog per worker against its target, then at the dead-letter queue.`);
    section(d, 'Jobs queue', queueWidgets('Jobs', jobs), jobAlarms);
    const sum = { statistic: 'Sum', period: ONE_MINUTE };
    const running = decision('RunningWorkers', 'Average');
    section(d, 'Scaling', [
      new cloudwatch.GraphWidget({
        title: 'Scaling: workers',
        left: [running.with({ label: 'running' }), decision('DesiredWorkers', 'Average').with({ label: 'desired' }),
          decision('NeededWorkers', 'Maximum').with({ label: 'needed (before maxWorkers)' })],
        right: [jobs.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ONE_MINUTE }),
          jobs.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: ONE_MINUTE })],
        leftAnnotations: [{ value: MAX_WORKERS, label: 'maxWorkers' }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Scaling: backlog per worker',
        left: [new cloudwatch.MathExpression({
          label: 'Backlog per worker',
          expression: '(visible + in_flight) / IF(running > 0, running, 1)',
          usingMetrics: {
            visible: jobs.queue.metricApproximateNumberOfMessagesVisible(sum),
            in_flight: jobs.queue.metricApproximateNumberOfMessagesNotVisible(sum),
            running,
          },
          period: ONE_MINUTE,
        })],
        leftAnnotations: [{ value: TARGET_BACKLOG_PER_WORKER, label: 'target' }],
        width: 12,
      }),
    ], scalingAlarms);
    d.addWidgets(header('Workers'));
    d.addWidgets(new cloudwatch.GraphWidget({
      title: 'Workers: CPU and memory',
      left: [service.metricCpuUtilization({ period: ONE_MINUTE }), service.metricMemoryUtilization({ period: ONE_MINUTE })],
      width: 24,
    }));
    d.addWidgets(header('Front end: upload URLs'));
    d.addWidgets(new cloudwatch.GraphWidget({
      title: 'Front end: invocations, errors, throttles',
      left: [frontEnd.metricInvocations(sum), frontEnd.metricErrors(sum), frontEnd.metricThrottles(sum)],
      width: 24,
    }));

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'UploadBucketName', { value: uploadBucket.bucketName });
    new CfnOutput(this, 'OutputBucketName', { value: outputBucket.bucketName });
    new CfnOutput(this, 'JobsQueueUrl', { value: jobs.queue.queueUrl });
    new CfnOutput(this, 'JobsDeadLetterQueueUrl', { value: jobs.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'CompletionTopicArn', { value: completions.topicArn });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    new CfnOutput(this, 'ServiceName', { value: service.serviceName });
  }
}
