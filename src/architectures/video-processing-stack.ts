import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PresignUploadFunction } from './handlers/presign-upload-function';
import { videoProcessingRules } from './rules';
import { secureBucketProps } from '../core/bucket-defaults';
import { consumerFunctionProps } from '../core/consumer/consumer-defaults';
import { ConsumerFunctionOptions } from '../core/consumer/consumer-options';
import { acknowledgeBucketNotificationsHandler, acknowledgeWildcardResource } from '../core/nag-acknowledgements';
import { SecureQueue } from '../core/secure-queue';
import { SecureTopic } from '../core/secure-topic';
import { check, describeDuration, validateProps } from '../core/validation';
import { FunctionMetrics } from '../monitoring/function-metrics';
import { PatternDashboard } from '../monitoring/pattern-dashboard';
import { BacklogScalingOptions } from '../patterns/backlog-scaling';
import { QueueWorkerService } from '../patterns/queue-worker-service';

/** The transcoder's Docker build context: the bundled worker and its Dockerfile (`npx projen bundle`). */
const TRANSCODER_CONTEXT = path.join(__dirname, '..', '..', 'assets', 'video-transcoder');

/**
 * Properties of a {@link VideoProcessingStack}.
 */
export interface VideoProcessingStackProps extends StackProps {
  /**
   * How the transcoder fleet scales.
   *
   * @default - 10 minutes acceptable latency, 1 minute average processing time (a target of 10
   * videos per worker), 0 to 20 workers
   */
  readonly scaling?: BacklogScalingOptions;

  /**
   * Videos one task transcodes at the same time. ffmpeg uses every core it gets, so 1 per task
   * and more tasks scale better than more videos per task.
   *
   * @default 1
   */
  readonly workerConcurrency?: number;

  /**
   * vCPU units of a transcoder task (1024 = 1 vCPU).
   *
   * @default 1024
   */
  readonly workerCpu?: number;

  /**
   * Memory of a transcoder task, in MiB.
   *
   * @default 2048
   */
  readonly workerMemoryLimitMiB?: number;

  /**
   * Width of the transcoded video in pixels (height follows the aspect ratio). An even number, 16 to 7,680.
   *
   * @default 320
   */
  readonly outputWidth?: number;

  /**
   * The VPC the workers run in.
   *
   * @default - a new VPC: 2 Availability Zones, public subnets only (public IP per task, nothing
   * admitted inbound), no NAT gateway
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Settings of the function that issues upload URLs.
   *
   * @default - the library's consumer defaults (256 MB, arm64, 30 s, JSON logs, 1 month of logs)
   */
  readonly frontEnd?: ConsumerFunctionOptions;

  /**
   * Browser origins allowed to PUT to the upload URLs (CORS of the upload bucket).
   *
   * @default ['*'] (the presigned URL is the authorization)
   */
  readonly uploadAllowedOrigins?: string[];

  /**
   * What happens to the buckets and their videos when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a worker holds a job before another may receive it; the worker's heartbeat extends
   * it while ffmpeg runs, so it bounds how long a crashed worker delays a video.
   * A token (e.g. a CfnParameter) must be given in seconds, `Duration.seconds(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * @default Duration.minutes(5)
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How often a worker extends the visibility of the job it works on. Less than `visibilityTimeout`.
   * A token (e.g. a CfnParameter) must be given in seconds, `Duration.seconds(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * @default Duration.minutes(1)
   */
  readonly heartbeatInterval?: Duration;

  /**
   * Whether to deploy the transcoder fleet (Fargate service, its image asset built with Docker at
   * deploy time, cluster, VPC, scaling). `false` keeps everything else (front end, buckets, jobs
   * queue with its dead-letter queue and alarms, completion topic) and adds the output
   * `WorkerEnvironment`: the environment the task definition would give a worker, as JSON, to
   * run the same worker elsewhere (e.g. as local processes against an emulator without Docker).
   *
   * @default true
   */
  readonly deployWorkers?: boolean;
}

/**
 * Reference architecture: video processing. A front end (HTTP API with IAM authorization →
 * Lambda) issues presigned S3 upload URLs; the upload bucket's ObjectCreated events queue a job
 * per video; Fargate workers (the bundled queue-worker runtime + ffmpeg, built from a Dockerfile
 * at deploy time) transcode each video into the output bucket and publish a completion
 * notification on a topic. The front end scales with Lambda, the back end on backlog per
 * worker: each tier on its own, the queue absorbing spikes between them.
 */
export class VideoProcessingStack extends Stack {
  /** The HTTP API that issues upload URLs (`POST /uploads`, IAM authorization). */
  public readonly api: apigwv2.HttpApi;
  /** The function behind the API. */
  public readonly frontEnd: lambda.IFunction;
  /** Where clients upload videos (`uploads/` prefix). */
  public readonly uploadBucket: s3.Bucket;
  /** Where transcoded videos are written. */
  public readonly outputBucket: s3.Bucket;
  /** The transcoder fleet: jobs queue, Fargate service, scaling, alarms and dashboard; undefined when `deployWorkers` is false. */
  public readonly workers?: QueueWorkerService;
  /** The jobs queue: one message per uploaded video. */
  public readonly jobsQueue: sqs.IQueue;
  /** Where jobs go after 3 failed receives. */
  public readonly jobsDeadLetterQueue: sqs.IQueue;
  /** The environment a transcoder worker runs with (the task definition's, or `WorkerEnvironment` without the fleet). */
  public readonly workerEnvironment: { [key: string]: string };
  /** Completion notifications, one per transcoded video. */
  public readonly completionTopic: SecureTopic;
  /** Topic every alarm of the stack notifies. */
  public readonly alarmTopic: SecureTopic;

  constructor(scope: Construct, id: string, props: VideoProcessingStackProps = {}) {
    super(scope, id, props);
    validateProps(this, props, videoProcessingRules());
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.alarmTopic = new SecureTopic(this, 'Alarms');
    this.alarmTopic.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
    this.completionTopic = new SecureTopic(this, 'Completions', { alarmTopic: this.alarmTopic.topic });

    // Server access logs are delivered through a bucket policy, not the legacy LogDeliveryWrite
    // ACL: the feature flag is set on this scope only, so users' apps need not set it.
    const storage = new Construct(this, 'Storage');
    storage.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const accessLogs = new s3.Bucket(storage, 'AccessLogsBucket', secureBucketProps(removalPolicy));
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the upload and output buckets; logging it into itself would loop.',
    });
    this.uploadBucket = new s3.Bucket(storage, 'UploadBucket', {
      ...secureBucketProps(removalPolicy),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'uploads/',
      cors: [{ allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: props.uploadAllowedOrigins ?? ['*'], allowedHeaders: ['content-type'], maxAge: 3000 }],
      // Uploads are inputs: kept 30 days after upload (time to re-run a job), then deleted.
      lifecycleRules: [{
        abortIncompleteMultipartUploadAfter: Duration.days(1),
        expiration: Duration.days(30),
        noncurrentVersionExpiration: Duration.days(1),
      }],
    });
    this.outputBucket = new s3.Bucket(storage, 'OutputBucket', {
      ...secureBucketProps(removalPolicy),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'outputs/',
    });

    // Back end: the transcoder fleet, scaled on backlog per worker.
    const visibilityTimeout = props.visibilityTimeout ?? Duration.minutes(5);
    const heartbeatInterval = props.heartbeatInterval ?? Duration.minutes(1);
    const jobEnvironment = {
      OUTPUT_BUCKET: this.outputBucket.bucketName,
      COMPLETION_TOPIC_ARN: this.completionTopic.topic.topicArn,
      OUTPUT_WIDTH: String(props.outputWidth ?? 320),
    };
    const workerConcurrency = props.workerConcurrency ?? 1;
    let dashboard: PatternDashboard;
    if (props.deployWorkers ?? true) {
      const workers = new QueueWorkerService(this, 'Transcoders', {
        image: ecs.ContainerImage.fromAsset(TRANSCODER_CONTEXT),
        vpc: props.vpc,
        cpu: props.workerCpu ?? 1024,
        memoryLimitMiB: props.workerMemoryLimitMiB ?? 2048,
        workerConcurrency,
        // ffmpeg jobs run for minutes: a 5-minute visibility with a heartbeat every minute means
        // a crashed task delays its video by at most 5 minutes.
        visibilityTimeout,
        heartbeatInterval,
        queueProps: { maxReceiveCount: 3 },
        scaling: props.scaling ?? { acceptableLatency: Duration.minutes(10), averageProcessingTime: Duration.minutes(1), maxWorkers: 20 },
        environment: jobEnvironment,
        alarmTopic: this.alarmTopic.topic,
      });
      this.workers = workers;
      this.jobsQueue = workers.queue;
      this.jobsDeadLetterQueue = workers.deadLetterQueue!;
      this.workerEnvironment = workers.environment;
      dashboard = workers.dashboard;
      this.grantTranscode(workers.taskRole);
    } else {
      // Without the fleet: the same jobs queue at the same construct path (same logical IDs), and
      // the environment QueueWorkerService gives its container (the e2e contract test compares them).
      // (QueueWorkerService checks these settings when the fleet is deployed; videoProcessingRules when not.)
      const unresolved = heartbeatInterval.isUnresolved() || visibilityTimeout.isUnresolved();
      check(this, unresolved || heartbeatInterval.toSeconds() < visibilityTimeout.toSeconds(), {
        code: 'VIDEO_PROCESSING_HEARTBEAT_INTERVAL',
        prop: 'heartbeatInterval',
        value: `${describeDuration(heartbeatInterval)} with visibilityTimeout ${describeDuration(visibilityTimeout)}`,
        allowed: 'less than visibilityTimeout',
        fix: 'lower heartbeatInterval to a quarter of visibilityTimeout, or raise visibilityTimeout',
      });
      const transcoders = new Construct(this, 'Transcoders');
      const jobs = new SecureQueue(transcoders, 'Jobs', { maxReceiveCount: 3, visibilityTimeout, alarmTopic: this.alarmTopic.topic });
      this.jobsQueue = jobs.queue;
      this.jobsDeadLetterQueue = jobs.deadLetterQueue!;
      this.workerEnvironment = {
        ...jobEnvironment,
        QUEUE_URL: jobs.queue.queueUrl,
        WORKER_CONCURRENCY: String(workerConcurrency),
        VISIBILITY_TIMEOUT_SECONDS: String(visibilityTimeout.toSeconds()),
        HEARTBEAT_INTERVAL_SECONDS: String(heartbeatInterval.toSeconds()),
        // QueueWorkerService: the container's stopTimeout (2 minutes) minus 5 seconds.
        SHUTDOWN_GRACE_SECONDS: '115',
      };
      dashboard = new PatternDashboard(transcoders, 'Dashboard', { description: 'Video jobs queue (the transcoder fleet is not deployed).' });
      dashboard.addBlock('Jobs queue', jobs);
      new CfnOutput(this, 'WorkerEnvironment', {
        description: 'The environment of a transcoder worker, as JSON (what the task definition sets)',
        value: this.toJsonString(this.workerEnvironment),
      });
    }
    const uploads = this.uploadBucket.arnForObjects('uploads/*');
    this.uploadBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.jobsQueue), { prefix: 'uploads/' });
    acknowledgeBucketNotificationsHandler(this);

    // Front end: presigned upload URLs; the video goes straight to S3.
    const parts = consumerFunctionProps(this, 'FrontEnd', props.frontEnd, 'frontEnd.');
    const frontEnd = new PresignUploadFunction(this, 'FrontEnd', {
      ...parts.props,
      description: 'Issues presigned S3 upload URLs for videos (POST /uploads)',
      environment: { UPLOAD_BUCKET: this.uploadBucket.bucketName, KEY_PREFIX: 'uploads/', URL_EXPIRES_SECONDS: '900' },
    });
    // The URL is signed with the function's credentials: it may put under uploads/ and nothing else.
    this.frontEnd = frontEnd;
    frontEnd.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.uploadBucket.arnForObjects('uploads/*')] }));
    acknowledgeWildcardResource(parts.role, uploads, 'Each upload URL names a new key (uploads/<uuid>/<file>): the prefix is the narrowest resource that works.');
    const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Video uploads: POST /uploads returns a presigned PUT URL',
      createDefaultStage: true,
    });
    this.api.addRoutes({
      path: '/uploads',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('PresignIntegration', this.frontEnd),
      authorizer: new HttpIamAuthorizer(),
    });
    const stage = this.api.defaultStage!.node.defaultChild as apigwv2.CfnStage;
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

    dashboard.addSection('Front end: upload URLs', [new cloudwatch.GraphWidget({
      title: 'Front end: invocations, errors, throttles',
      left: [FunctionMetrics.invocations(this.frontEnd), FunctionMetrics.errors(this.frontEnd), FunctionMetrics.throttles(this.frontEnd)],
      width: 24,
    })]);

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'UploadBucketName', { value: this.uploadBucket.bucketName });
    new CfnOutput(this, 'OutputBucketName', { value: this.outputBucket.bucketName });
    new CfnOutput(this, 'JobsQueueUrl', { value: this.jobsQueue.queueUrl });
    new CfnOutput(this, 'JobsDeadLetterQueueUrl', { value: this.jobsDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'CompletionTopicArn', { value: this.completionTopic.topic.topicArn });
    if (this.workers) {
      new CfnOutput(this, 'ClusterName', { value: this.workers.cluster.clusterName });
      new CfnOutput(this, 'ServiceName', { value: this.workers.service.serviceName });
    }
  }

  /** Exactly what a transcode does: read the upload, write the output, publish the completion. */
  private grantTranscode(taskRole: iam.IRole): void {
    const uploads = this.uploadBucket.arnForObjects('uploads/*');
    const outputs = this.outputBucket.arnForObjects('*');
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [uploads] }));
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [outputs] }));
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.completionTopic.topic.topicArn] }));
    if (this.completionTopic.encryptionKey) {
      taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.completionTopic.encryptionKey.keyArn] }));
    }
    acknowledgeWildcardResource(taskRole, uploads, 'The workers read any uploaded video, and only under uploads/: object keys are chosen per upload, so a key prefix is the narrowest resource.');
    acknowledgeWildcardResource(taskRole, outputs, 'The workers write one output per upload under a key derived from it: object keys are not known in advance.');
  }
}

