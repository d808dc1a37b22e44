import { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { LiveOrdersStack } from '../../src';
import { buildArchitecture, nagFindings } from '../support';

const build = () => buildArchitecture(LiveOrdersStack, 'LiveOrders', {});

describe('LiveOrdersStack', () => {
  const { stack, template } = build();

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('orders table: key id, change-feed index byUpdatedAt (changeFeed, updatedAt), point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [Match.objectLike({
          IndexName: 'byUpdatedAt',
          KeySchema: [{ AttributeName: 'changeFeed', KeyType: 'HASH' }, { AttributeName: 'updatedAt', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'ALL' },
        })],
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  test('order(id), ordersChangedSince, updateOrderStatus and publishOrderStatus are resolved by the shipped APPSYNC_JS resolvers', () => {
    const resolvers = Object.values<any>(template.findResources('AWS::AppSync::Resolver')).map(r => `${r.Properties.TypeName}.${r.Properties.FieldName}`).sort();
    expect(resolvers).toEqual(['Mutation.publishOrderStatus', 'Mutation.updateOrderStatus', 'Query.order', 'Query.ordersChangedSince']);
    template.hasResourceProperties('AWS::AppSync::Resolver', { FieldName: 'ordersChangedSince', Code: Match.stringLikeRegexp('"feedValue":"orders"') });
  });

  test('OrderConfirmed, OrderCancelled, OrderShipped and OrderDelivered reach onOrderStatus subscribers through publishOrderStatus', () => {
    const rules = Object.values<any>(template.findResources('AWS::Events::Rule'));
    expect(rules.map(r => `${r.Properties.EventPattern.source[0]}/${r.Properties.EventPattern['detail-type'][0]}`).sort())
      .toEqual(['orders/OrderCancelled', 'orders/OrderConfirmed', 'shipping/OrderDelivered', 'shipping/OrderShipped']);
    for (const r of rules) {
      expect(r.Properties.Targets[0].AppSyncParameters.GraphQLOperation).toContain('publishOrderStatus(id: $id, status: $status, source: $source, publishedAt: $publishedAt) { id status source publishedAt }');
      expect(r.Properties.Targets[0].DeadLetterConfig).toBeDefined();
    }
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['shipping'], 'detail-type': ['OrderShipped'] },
      Targets: [Match.objectLike({ InputTransformer: { InputPathsMap: { 'detail-orderId': '$.detail.orderId', 'source': '$.source' }, InputTemplate: '{"id":<detail-orderId>,"status":"SHIPPED","source":<source>}' } })],
    });
  });

  test('a regional WAF web ACL protects the API (AWS common rules, known bad inputs, 1,000 requests / 5 min per IP)', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: [
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
        Match.objectLike({ Name: 'RateLimitPerIp', Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } } }),
      ],
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test('every alarm notifies the alarm topic (except the topic\'s own, which would notify the failing topic)', () => {
    const alarmTopicId = stack.getLogicalId(stack.alarmTopic.topic.node.defaultChild as CfnElement);
    const alarms = Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm')).filter(([k]) => !k.startsWith('Alarms'));
    // 6 API alarms (5XX, 4XX rate, p99 latency, connect/subscribe/publish server errors) + 4 route DLQs
    expect(alarms).toHaveLength(10);
    for (const [, a] of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
