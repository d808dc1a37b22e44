import { Stack, Token } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ApiDestinationTargetOptions, RouteTargetBinding } from './route-target';
import { groupThousands, Violations } from '../../core/validation';

/**
 * A target's own dead-letter queue, as EventBridge takes one: a standard queue ("SQS FIFO is not
 * supported by Dead Letter Queues", PutTargets; https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html:
 * "EventBridge DLQs are standard Amazon SQS queues"), in the rule's region (aws-cdk-lib refuses
 * another region with its own message), and not encrypted with the AWS-managed key alias/aws/sqs,
 * whose key policy EventBridge cannot be granted (the events would be lost, not dead-lettered).
 */
export function checkDeadLetterQueue(b: RouteTargetBinding, dlq: sqs.IQueue, v: Violations): void {
  const prop = `${b.prop}.deadLetterQueue`;
  v.check('EVENT_ROUTER_DLQ_FIFO', dlq.fifo !== true, {
    prop,
    value: `${dlq.node.path} (a FIFO queue)`,
    allowed: 'a standard SQS queue (EventBridge refuses FIFO dead-letter queues)',
    fix: `give ${prop} a standard queue, or leave it unset for the route's dead-letter queue`,
  });
  const here = Stack.of(b.scope).region;
  const there = dlq.env.region;
  v.check('EVENT_ROUTER_DLQ_REGION', Token.isUnresolved(here) || Token.isUnresolved(there) || here === there, {
    prop,
    value: `${dlq.queueArn} (region ${there}, the rule is in ${here})`,
    allowed: 'a queue in the rule\'s region',
    fix: `create the dead-letter queue in ${here}, or leave ${prop} unset for the route's dead-letter queue`,
  });
  const cfn = dlq.node.defaultChild;
  const key = cfn instanceof sqs.CfnQueue ? cfn.kmsMasterKeyId : undefined;
  v.check('EVENT_ROUTER_DLQ_AWS_MANAGED_KEY', key !== 'alias/aws/sqs', {
    prop,
    value: `${dlq.node.path} (encrypted with the AWS-managed key alias/aws/sqs)`,
    allowed: 'SQS-managed encryption (SSE-SQS) or a customer-managed key whose policy lets events.amazonaws.com use it',
    fix: 'create the queue with encryption: sqs.QueueEncryption.SQS_MANAGED (or a customer key granted to EventBridge)',
  });
}

/** The limits AWS puts on an API destination target's endpoint, key name, headers and path parameters. */
export function checkApiDestinationLimits(b: RouteTargetBinding, a: ApiDestinationTargetOptions, v: Violations): void {
  // AWS's limits (EventBridge API reference): CreateApiDestination InvocationEndpoint at most 2,048
  // characters; CreateConnection ApiKeyName 1 to 512 characters, no control characters or ':';
  // HttpParameters HeaderParameters names of HTTP token characters, at most 512
  // (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateApiDestination.html,
  // API_CreateConnectionApiKeyAuthRequestParameters.html, API_HttpParameters.html).
  if (!Token.isUnresolved(a.endpoint) && a.endpoint.length > 2048) {
    v.add({
      code: 'EVENT_ROUTER_API_ENDPOINT',
      prop: `${b.prop}.endpoint`,
      value: `${groupThousands(a.endpoint.length)} characters`,
      allowed: 'an https:// URL of at most 2,048 characters',
      fix: `shorten ${b.prop}.endpoint (send long values in the body or headers)`,
    });
  }
  if (a.connection !== undefined) {
    for (const [name, value] of [['apiKeyName', a.apiKeyName], ['apiKeyValue', a.apiKeyValue]] as const) {
      v.notSetWith('EVENT_ROUTER_API_KEY_WITH_CONNECTION', `${b.prop}.${name}`, value === undefined ? undefined : (name === 'apiKeyValue' ? '<secret>' : value),
        'when connection is given (the connection\'s own authorization is used; the key would be ignored)',
        `remove ${b.prop}.${name}, or drop ${b.prop}.connection so a new connection is made with the key`);
    }
  } else if (a.apiKeyName !== undefined && !Token.isUnresolved(a.apiKeyName)) {
    // eslint-disable-next-line no-control-regex
    v.check('EVENT_ROUTER_API_KEY_NAME', /^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$/.test(a.apiKeyName) && a.apiKeyName.length <= 512, {
      prop: `${b.prop}.apiKeyName`,
      value: `"${a.apiKeyName}"`,
      allowed: 'a header name of 1 to 512 characters without control characters or ":"',
      fix: `set ${b.prop}.apiKeyName to the header the API reads the key from, e.g. "X-Api-Key"`,
    });
  }
  for (const name of Object.keys(a.headerParameters ?? {})) {
    if (Token.isUnresolved(name)) continue;
    v.check('EVENT_ROUTER_API_HEADER_NAME', /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]{1,512}$/.test(name), {
      prop: `${b.prop}.headerParameters`,
      value: `header name "${name}"`,
      allowed: 'HTTP header names of 1 to 512 token characters (letters, digits and !#$%&\'*+-.^_`|~; no spaces or colons)',
      fix: 'rename the header, e.g. "X-Order-Id"',
    });
  }
  if (!Token.isUnresolved(a.endpoint)) {
    // EventBridge fills each * of the endpoint with one path parameter value, in order; a
    // different count leaves a literal * in the URL or drops values, on every event.
    const wildcards = (a.endpoint.match(/\*/g) ?? []).length;
    const given = a.pathParameterValues?.length ?? 0;
    v.check('EVENT_ROUTER_API_PATH_PARAMETERS', wildcards === given, {
      prop: `${b.prop}.pathParameterValues`,
      value: `${given} values for ${wildcards} * in the endpoint`,
      allowed: 'one value per * of the endpoint',
      fix: `give ${b.prop}.pathParameterValues one value (or events.EventField path) per *, or remove the * from the endpoint`,
    });
  }
}
