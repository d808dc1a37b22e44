/**
 * AWS SDK v3 clients pointed at the emulator, with dummy credentials.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_REGION } from './deploy';

export interface LocalClients {
  readonly endpoint: string;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
  /** Path-style: virtual-host style would resolve `<bucket>.127.0.0.1` / `<bucket>.localhost`. */
  readonly s3: S3Client;
  readonly cloudformation: CloudFormationClient;
  /** Over HTTP/1.1 (NodeHttpHandler): the SDK's Kinesis client defaults to HTTP/2. */
  readonly kinesis: KinesisClient;
  /** Closes every client's connections. */
  destroy(): void;
}

/** The configuration every client shares. */
export function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  };
}

export function localClients(endpoint: string): LocalClients {
  // The SDK warns once per process that Node 20 support ends; this machine runs Node 20 on purpose.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = clientConfig(endpoint);
  const clients = {
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    dynamodb: new DynamoDBClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    cloudformation: new CloudFormationClient(config),
    kinesis: new KinesisClient({ ...config, requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }) }),
  };
  return {
    endpoint,
    ...clients,
    destroy: () => Object.values(clients).forEach(c => c.destroy()),
  };
}
