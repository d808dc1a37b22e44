import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { WriteBuffer, WriteBufferProps, WriteBufferSink } from '../../src';
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
