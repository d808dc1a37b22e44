import { Duration } from 'aws-cdk-lib';
import { FrontDoorApiOptions, FrontDoorValue } from '../front-door';

/**
 * The buffer's front door: a {@link FrontDoor} (REST by default, or HTTP) with one queue route,
 * `POST /<path>`, that sends the request body straight to the buffer queue. Every API setting of
 * a FrontDoor applies (authorization kinds, throttling, WAF, access and execution logs, CORS,
 * alarm thresholds); the route's settings are below.
 */
export interface WriteBufferFrontDoorOptions extends FrontDoorApiOptions {
  /**
   * Path of the POST route, e.g. `orders` for `POST /orders` (or `v1/orders`).
   *
   * @default 'messages'
   */
  readonly path?: string;

  /**
   * FIFO queues: where the message group id comes from (messages of one group keep their order),
   * e.g. `FrontDoorValue.bodyField('customerId')` or `FrontDoorValue.header('X-Group-Id')`.
   *
   * @default - none; required for a FIFO queue
   */
  readonly messageGroupId?: FrontDoorValue;

  /**
   * FIFO queues: where the deduplication id comes from (a retried request with the same value is
   * dropped for 5 minutes).
   *
   * @default - the API Gateway request id (each request is a new message)
   */
  readonly deduplicationId?: FrontDoorValue;

  /**
   * How long API Gateway waits for SQS: 50 ms to 29 seconds.
   * A token (e.g. a CfnParameter) must be given in milliseconds, `Duration.millis(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * @default Duration.seconds(29)
   */
  readonly integrationTimeout?: Duration;
}
