import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DataApiParameter, WriteBuffer, WriteBufferProps, WriteBufferSink } from '../../src';
import { expectBadInput, newStack } from '../support';

// Issue #11, held-out style probes of WriteBuffer: key names DynamoDB refuses and message schemas no
// message can pass are refused at synth; the boundary is accepted.

const S = apigateway.JsonSchemaType.STRING;
const table = (s: Stack) => new dynamodb.TableV2(s, 'Orders', { partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING } });
const buffer = (props: (s: Stack) => WriteBufferProps) => (stack: Stack) => { new WriteBuffer(stack, 'Buffer', props(stack)); };
const imported = (s: Stack) => dynamodb.Table.fromTableName(s, 'Imported', 'orders');
const B = 'TestStack/Buffer';

// [name, build, code, prop, value, allowed, fix]
const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
  ['empty partition key for an imported table', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: imported(s), partitionKey: '' }) })),
    'WRITE_BUFFER_SINK_KEY_NAME', 'sink.partitionKey', '"" (0 bytes)', 'an attribute name of 1 to 255 bytes', 'set partitionKey to the table\'s key attribute name'],
  ['sort key of 256 bytes for an imported table', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: imported(s), partitionKey: 'orderId', sortKey: 's'.repeat(256) }) })),
    'WRITE_BUFFER_SINK_KEY_NAME', 'sink.sortKey', '(256 bytes)', 'an attribute name of 1 to 255 bytes', 'set sortKey'],
  ['a property whose minLength is above its maxLength', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: table(s) }), messageSchema: { required: ['orderId'], properties: { orderId: { type: S, minLength: 10, maxLength: 5 } } } })),
    'WRITE_BUFFER_SCHEMA_NEVER_MATCHES', 'messageSchema.properties.orderId.minLength', '10 with maxLength 5', 'at most maxLength (no value could pass the schema', 'swap minLength and maxLength'],
  ['a property whose minimum is above its maximum', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: table(s) }), messageSchema: { required: ['orderId'], properties: { amount: { type: apigateway.JsonSchemaType.NUMBER, minimum: 1, maximum: 0 } } } })),
    'WRITE_BUFFER_SCHEMA_NEVER_MATCHES', 'messageSchema.properties.amount.minimum', '1 with maximum 0', 'at most maximum', 'swap minimum and maximum'],
  ['a required key additionalProperties: false forbids', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: table(s) }), messageSchema: { required: ['orderId', 'amount'], properties: { orderId: { type: S } }, additionalProperties: false } })),
    'WRITE_BUFFER_SCHEMA_NEVER_MATCHES', 'messageSchema.required', '"amount", which messageSchema.properties does not define, with additionalProperties: false', 'required keys that properties defines', 'add "amount" to messageSchema.properties'],
];

describe('WriteBuffer: limits DynamoDB enforces, and schemas nothing can pass', () => {
  test.each(cases)('%s', (_name, build, code_, prop, value, allowed, fix) => {
    expectBadInput({ build, path: B, code: code_, prop, value, allowed, fix });
  });

  test.each<[string, (s: Stack) => void]>([
    ['a key name of 255 bytes', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: imported(s), partitionKey: 'k'.repeat(255) }) }))],
    ['minLength equal to maxLength', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: table(s) }), messageSchema: { required: ['orderId'], properties: { orderId: { type: S, minLength: 8, maxLength: 8 } } } }))],
    ['required keys all defined, additionalProperties: false', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: table(s) }), messageSchema: { required: ['orderId'], properties: { orderId: { type: S } }, additionalProperties: false } }))],
  ])('accepted: %s', (_name, build) => {
    expect(() => build(newStack())).not.toThrow();
  });
});

describe('WriteBuffer: a Data API sink the bundled writer would refuse at every start', () => {
  const cluster = (s: Stack) => {
    const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    return new rds.DatabaseCluster(s, 'Db', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.serverlessV2('writer'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      enableDataApi: true,
    });
  };
  const dataApi = (sql: string, parameters: DataApiParameter[]) => buffer(s => ({ sink: WriteBufferSink.dataApi({ cluster: cluster(s), databaseName: 'shop', sql, parameters }) }));
  const dataCases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
    ['no parameters', dataApi('INSERT INTO t (id) VALUES (1)', []), 'WRITE_BUFFER_SINK_PARAMETERS', 'sink.parameters', 'an empty list', 'at least one element', 'map each :name of sql to a message field'],
    ['an empty statement', dataApi('  ', [{ name: 'id', field: 'id' }]), 'WRITE_BUFFER_SINK_SQL', 'sink.sql', '"" (empty)', 'a statement of 1 to 65,536 characters', 'e.g. "INSERT INTO orders'],
    ['a statement above 65,536 characters', dataApi(`INSERT INTO t (id) VALUES (:id) -- ${'x'.repeat(65_536)}`, [{ name: 'id', field: 'id' }]), 'WRITE_BUFFER_SINK_SQL', 'sink.sql', '65,571 characters', '1 to 65,536 characters', 'e.g. "INSERT INTO orders'],
    ['a parameter name that is not an identifier', dataApi('INSERT INTO t (id) VALUES (:id)', [{ name: 'id', field: 'id' }, { name: '1x', field: 'x' }]), 'WRITE_BUFFER_SINK_PARAMETER_NAME', 'sink.parameters[1].name', '"1x"', 'an identifier as written after ":"', 'e.g. "id" for :id'],
    ['an empty field', dataApi('INSERT INTO t (id) VALUES (:id)', [{ name: 'id', field: '' }]), 'WRITE_BUFFER_SINK_PARAMETER_FIELD', 'sink.parameters[0].field', '"" (empty)', 'a message field', 'e.g. "orderId"'],
  ];
  test.each(dataCases)('%s', (_name, build, code_, prop, value, allowed, fix) => {
    expectBadInput({ build, path: B, code: code_, prop, value, allowed, fix });
  });
  test('accepted: one identifier parameter, mapped to a dotted field', () => {
    expect(() => dataApi('INSERT INTO t (id) VALUES (:customer_id)', [{ name: 'customer_id', field: 'customer.id' }])(newStack())).not.toThrow();
  });
});

describe('WriteBuffer: an existing queue of this app is checked by the one visibility rule', () => {
  test('the SQS default 30 s under a 1-minute writer', () => {
    expectBadInput({
      build: buffer(s => ({
        sink: WriteBufferSink.dynamoDb({ table: table(s) }),
        queueProps: { existingQueue: new sqs.Queue(s, 'Incoming'), existingDeadLetterQueue: new sqs.Queue(s, 'Dlq', { retentionPeriod: Duration.days(14) }) },
        consumer: { timeout: Duration.minutes(1) },
      })),
      path: B,
      code: 'CONSUMER_VISIBILITY_TIMEOUT',
      prop: 'queueProps.existingQueue',
      value: '30 seconds',
      allowed: 'at least 6 minutes (360 s): 6 x consumer.timeout',
      fix: 'raise the visibility timeout where TestStack/Incoming is defined, or lower consumer.timeout',
    });
  });
  test('accepted: an existing queue with 3 minutes for the default 30-second writer', () => {
    expect(() => buffer(s => ({
      sink: WriteBufferSink.dynamoDb({ table: table(s) }),
      queueProps: { existingQueue: new sqs.Queue(s, 'Incoming', { visibilityTimeout: Duration.minutes(3) }), existingDeadLetterQueue: new sqs.Queue(s, 'Dlq') },
    }))(newStack())).not.toThrow();
  });
});
