import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WriteBufferFrontDoorOptions } from './front-door';
import { FrontDoor, FrontDoorApiKind, FrontDoorAuthorization, FrontDoorRoute } from '../front-door';

/** The path of the buffer's route when `frontDoor.path` is not set. */
export const DEFAULT_WRITE_BUFFER_PATH = 'messages';

/** What the buffer hands its front door. Internal. */
export interface BufferFrontDoorInput {
  readonly options: WriteBufferFrontDoorOptions;
  readonly queue: sqs.IQueue;
  /** The buffer's messageSchema: the REST door validates request bodies with it. */
  readonly messageSchema?: apigateway.JsonSchema;
  readonly alarmsEnabled: boolean;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The buffer's FrontDoor: one queue route. Its alarms are the buffer's (same topic) and its
 * section goes on the buffer's dashboard, so it gets no dashboard of its own. Internal.
 */
export function bufferFrontDoor(scope: Construct, id: string, input: BufferFrontDoorInput): FrontDoor {
  const { path, messageGroupId, deduplicationId, integrationTimeout, ...api } = input.options;
  const rest = (api.apiKind ?? FrontDoorApiKind.REST) === FrontDoorApiKind.REST;
  return new FrontDoor(scope, id, {
    ...api,
    authorization: api.authorization ?? FrontDoorAuthorization.IAM,
    alarmsEnabled: input.alarmsEnabled,
    alarmTopic: input.alarmTopic,
    dashboardEnabled: false,
    routes: [FrontDoorRoute.toQueue({
      path: path ?? DEFAULT_WRITE_BUFFER_PATH,
      queue: input.queue,
      messageGroupId,
      deduplicationId,
      integrationTimeout,
      // An HTTP API validates nothing: there the bundled writer's schema check is the only one.
      requestSchema: rest ? input.messageSchema : undefined,
    })],
  });
}
