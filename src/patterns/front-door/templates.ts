/**
 * The mapping templates (VTL) of the REST front door, one request and one response template per
 * backend action. Every template is golden-tested: rendered with hostile JSON bodies (quotes,
 * apostrophes, unicode, newlines, nesting, 256 KB) it must produce a valid backend request
 * (test/patterns/front-door/golden.test.ts).
 *
 * Rules that keep them safe for any payload:
 * - the body goes in whole and encoded for its carrier: URL-encoded into SQS's query API,
 *   base64 into Kinesis `Data`, and as a JSON string into EventBridge `Detail` and Step Functions
 *   `input` — via `$util.escapeJavaScript(...)` followed by AWS's documented fix
 *   `.replaceAll("\\'","'")`, because escapeJavaScript writes `\'`, which is not valid JSON;
 * - a single value read from the body (partition key, group id) goes in as `$input.json(...)`,
 *   which is JSON already, and the request model requires it to be a string;
 * - constants chosen at synth time (bus name, source, detail-type) are JSON-encoded by us and
 *   refused at synth time if they hold VTL syntax (`$`, `#`).
 */

/** JSON text of a constant string, safe inside a template (no `$` or `#` reaches VTL). */
export function jsonConstant(value: string): string {
  return JSON.stringify(value);
}

/** The whole request body as a JSON string literal (quoted), valid JSON for any JSON body. */
export const BODY_AS_JSON_STRING = '"$util.escapeJavaScript($input.json(\'$\')).replaceAll("\\\\\'","\'")"';

/** Where a single value (group id, dedup id, partition key) comes from, as a template expression. */
export interface ValueSource {
  /** `$input.json(...)`-style expression that yields a JSON string literal. */
  readonly asJson: string;
  /** Expression that yields the raw (unquoted) text, for URL encoding. */
  readonly asText: string;
}

/** A body field (dotted path), read as JSON (the model requires it to be a string). */
export function bodyFieldSource(field: string, base = '$'): ValueSource {
  return { asJson: `$input.json('${base}.${field}')`, asText: `$input.path('${base}.${field}')` };
}

/** A request header (the method request requires it). */
export function headerSource(header: string): ValueSource {
  return {
    asJson: `"$util.escapeJavaScript($input.params('${header}')).replaceAll("\\\\'","'")"`,
    asText: `$input.params('${header}')`,
  };
}

/** API Gateway's request id (unique per request). */
export const REQUEST_ID_SOURCE: ValueSource = { asJson: '"$context.requestId"', asText: '$context.requestId' };

/** SQS query API `SendMessage`: the raw body as the message; FIFO: group and deduplication ids. */
export function sendMessageRequest(fifo?: { groupId: ValueSource; deduplicationId: ValueSource }): string {
  const parts = ['Action=SendMessage', 'MessageBody=$util.urlEncode($input.body)'];
  if (fifo) {
    parts.push(`MessageGroupId=$util.urlEncode(${fifo.groupId.asText})`);
    parts.push(`MessageDeduplicationId=$util.urlEncode(${fifo.deduplicationId.asText})`);
  }
  return parts.join('&');
}

/** SendMessage's answer: the message id (and the FIFO sequence number). */
export function sendMessageResponse(fifo: boolean): string {
  const result = '$.SendMessageResponse.SendMessageResult';
  return fifo
    ? `{"messageId":$input.json('${result}.MessageId'),"sequenceNumber":$input.json('${result}.SequenceNumber')}`
    : `{"messageId":$input.json('${result}.MessageId')}`;
}

/** Kinesis `PutRecord`: the raw body, base64, as the record's data. */
export function putRecordRequest(streamName: string, partitionKey: ValueSource): string {
  return `{"StreamName":${jsonConstant(streamName)},"Data":"$util.base64Encode($input.body)","PartitionKey":${partitionKey.asJson}}`;
}

/** PutRecord's answer. */
export const PUT_RECORD_RESPONSE = '{"sequenceNumber":$input.json(\'$.SequenceNumber\'),"shardId":$input.json(\'$.ShardId\')}';

/**
 * Kinesis `PutRecords`: body `{"records": [ {...}, ... ]}`, each record's JSON (base64) as its data
 * and `partitionKeyField` of each record as its partition key.
 */
export function putRecordsRequest(streamName: string, partitionKeyField: string): string {
  const item = '$.records[$foreach.index]';
  return `{"StreamName":${jsonConstant(streamName)},"Records":[`
    + '#foreach($record in $input.path(\'$.records\'))'
    + `{"Data":"$util.base64Encode($input.json("${item}"))","PartitionKey":$input.json("${item}.${partitionKeyField}")}`
    + '#if($foreach.hasNext),#end#end]}';
}

/** PutRecords' answer: never 200 when a record failed (500, with each record's result to retry). */
export const PUT_RECORDS_RESPONSE = '#if($input.path(\'$.FailedRecordCount\') > 0)'
  + '#set($context.responseOverride.status = 500)'
  + '{"message":"some records were not written: retry those with an errorCode","failedRecordCount":$input.json(\'$.FailedRecordCount\'),"records":$input.json(\'$.Records\')}'
  + '#{else}{"records":$input.json(\'$.Records\')}#end';

/** EventBridge `PutEvents`: one event, source and detail-type fixed, the body as its detail. */
export function putEventsRequest(eventBusName: string, source: string, detailType: string): string {
  return `{"Entries":[{"EventBusName":${jsonConstant(eventBusName)},"Source":${jsonConstant(source)},"DetailType":${jsonConstant(detailType)},"Detail":${BODY_AS_JSON_STRING}}]}`;
}

/** PutEvents' answer: a failed entry is never a 200 (PutEvents itself answers 200 with FailedEntryCount). */
export const PUT_EVENTS_RESPONSE = '#if($input.path(\'$.FailedEntryCount\') > 0)'
  + '#set($context.responseOverride.status = 500)'
  + '{"message":"the event bus did not accept the event; retry","errorCode":$input.json(\'$.Entries[0].ErrorCode\')}'
  + '#{else}{"eventId":$input.json(\'$.Entries[0].EventId\')}#end';

/** Step Functions `StartExecution` / `StartSyncExecution`: the body as the input, the request id as the name. */
export function startExecutionRequest(stateMachineArn: string): string {
  return `{"stateMachineArn":${jsonConstant(stateMachineArn)},"name":"$context.requestId","input":${BODY_AS_JSON_STRING}}`;
}

/** StartExecution's answer. */
export const START_EXECUTION_RESPONSE = '{"executionArn":$input.json(\'$.executionArn\'),"startDate":$input.json(\'$.startDate\')}';

/**
 * StartSyncExecution's answer: the workflow's output as the response body when it SUCCEEDED;
 * 500 when it FAILED, 504 when it TIMED_OUT (with the execution ARN to look it up).
 */
export const START_SYNC_EXECUTION_RESPONSE = '#set($status = $input.path(\'$.status\'))'
  + '#if("$status" == "SUCCEEDED")$input.path(\'$.output\')'
  + '#elseif("$status" == "FAILED")#set($context.responseOverride.status = 500)'
  + '{"message":"the workflow failed","executionArn":$input.json(\'$.executionArn\')}'
  + '#{else}#set($context.responseOverride.status = 504)'
  + '{"message":"the workflow did not finish in time","executionArn":$input.json(\'$.executionArn\')}#end';

/** The backend refused the request (4xx): the template is ours, so the fault is ours (500). */
export function backendRefusedResponse(backend: string): string {
  return `{"message":"the ${backend} refused the request: the front door's fault, not the caller's","requestId":"$context.requestId"}`;
}

/** The backend failed (5xx) or timed out: retry later (503). */
export function backendUnavailableResponse(backend: string): string {
  return `{"message":"the ${backend} is unavailable; retry with backoff","requestId":"$context.requestId"}`;
}
