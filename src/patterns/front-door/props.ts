import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FrontDoorRoute } from './route';
import { AlarmOptions } from '../../monitoring/alarm-options';
import { DashboardOptions } from '../../monitoring/dashboard-options';

/** Which kind of API Gateway API the front door is. */
export enum FrontDoorApiKind {
  /**
   * REST API: request models and validators, API keys and usage plans, WAF, mapping templates that
   * shape the backend's answer (message id, event id…) and map its errors. $3.50 per million requests.
   */
  REST = 'REST',
  /**
   * HTTP API (v2) with first-class AWS integrations: about 70 % cheaper ($1.00 per million) and
   * faster, but no request validation, no usage plans or API keys, no WAF, and the backend's
   * answer is passed through as it is (a PutEvents entry that failed comes back as a 200 whose
   * body has FailedEntryCount 1 — callers must check it). Stream routes take the record
   * base64-encoded in the body's `data` field (API Gateway cannot encode it; Kinesis needs base64).
   */
  HTTP = 'HTTP',
}

/** How callers of the front door authenticate. */
export enum FrontDoorAuthorization {
  /** SigV4-signed requests; grant callers `execute-api:Invoke` with `grantInvoke`. */
  IAM = 'IAM',
  /** REST only: an API key in the `x-api-key` header, with a usage plan that throttles and caps the key. */
  API_KEY = 'API_KEY',
  /** A Cognito user pool token (REST: Cognito authorizer; HTTP: JWT authorizer); needs `userPool`. */
  COGNITO = 'COGNITO',
  /** A Lambda authorizer that reads the `Authorization` header; needs `authorizerFunction`. */
  LAMBDA = 'LAMBDA',
}

/** Requests per second and burst for a stage or a route. */
export interface FrontDoorThrottling {
  /**
   * Steady-state requests per second (API Gateway answers 429 above it).
   *
   * @default - the API's setting (100 for the API)
   */
  readonly rateLimit?: number;
  /**
   * Requests accepted in a burst above the rate.
   *
   * @default - the API's setting (200 for the API)
   */
  readonly burstLimit?: number;
}

/** Cross-origin requests from browsers. */
export interface FrontDoorCors {
  /** Origins allowed to call the API, e.g. `['https://shop.example.com']`. Must not be empty. */
  readonly allowOrigins: string[];
  /**
   * Request headers browsers may send.
   *
   * @default ['Content-Type', 'Authorization', 'X-Api-Key', 'X-Amz-Date', 'X-Amz-Security-Token']
   */
  readonly allowHeaders?: string[];
  /**
   * How long browsers may cache the preflight answer.
   *
   * @default Duration.hours(1)
   */
  readonly maxAge?: Duration;
}

/**
 * The settings of a front door's API (everything but its routes, alarm topic and dashboard): what
 * a {@link FrontDoor} takes, and what a WriteBuffer's `frontDoor` takes.
 */
export interface FrontDoorApiOptions {
  /**
   * REST API or HTTP API.
   *
   * @default FrontDoorApiKind.REST
   */
  readonly apiKind?: FrontDoorApiKind;

  /**
   * How callers authenticate (every route).
   *
   * @default FrontDoorAuthorization.IAM
   */
  readonly authorization?: FrontDoorAuthorization;

  /**
   * The user pool whose tokens are accepted, with FrontDoorAuthorization.COGNITO.
   *
   * @default - none; required with COGNITO
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * HTTP API with COGNITO: the app clients whose tokens are accepted (the JWT audience).
   *
   * @default - none; required with COGNITO on an HTTP API
   */
  readonly userPoolClients?: cognito.IUserPoolClient[];

  /**
   * The Lambda authorizer, with FrontDoorAuthorization.LAMBDA. It reads the `Authorization`
   * header; its answer is cached for 5 minutes.
   *
   * @default - none; required with LAMBDA
   */
  readonly authorizerFunction?: lambda.IFunction;

  /**
   * Stage throttling for every route (routes may set their own).
   *
   * @default - 100 requests per second, burst 200
   */
  readonly throttling?: FrontDoorThrottling;

  /**
   * REST with API_KEY only: requests per day one key may send (usage plan quota).
   *
   * @default - no quota
   */
  readonly dailyQuota?: number;

  /**
   * How long access logs (JSON, one line per request) are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * REST only: ARN of an AWS WAFv2 web ACL of scope REGIONAL to associate with the stage.
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * REST only: write API Gateway execution logs (level ERROR) too. Needs the account-level API
   * Gateway CloudWatch role, which a library construct must not create (it is one per account and region).
   *
   * @default false (the JSON access logs record every request with its status and error)
   */
  readonly executionLogging?: boolean;

  /**
   * REST only: AWS X-Ray tracing of the stage.
   *
   * @default false (the JSON access logs have each request's status, latency and error; traces cost per trace)
   */
  readonly tracingEnabled?: boolean;

  /**
   * Cross-origin requests from browsers.
   *
   * @default - no CORS (server-to-server callers)
   */
  readonly cors?: FrontDoorCors;

  /**
   * Name of the API.
   *
   * @default - the construct path
   */
  readonly apiName?: string;

  /**
   * Alarm when the 99th percentile of the latency callers see is above this for 15 minutes.
   * A token (e.g. a CfnParameter) must be given in milliseconds, `Duration.millis(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * @default Duration.seconds(2)
   */
  readonly latencyP99Threshold?: Duration;

  /**
   * Alarm when the 99th percentile of the backends' latency is above this for 15 minutes.
   * A token (e.g. a CfnParameter) must be given in milliseconds, `Duration.millis(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * @default Duration.seconds(1)
   */
  readonly integrationLatencyP99Threshold?: Duration;

  /**
   * Alarm when more than this share of requests (0–1) get a 4XX answer for 15 minutes: a caller
   * sending bad requests, a broken key, or throttling that is set too low.
   *
   * @default 0.1
   */
  readonly clientErrorRateThreshold?: number;
}

/**
 * Properties of a {@link FrontDoor}.
 */
export interface FrontDoorProps extends FrontDoorApiOptions, AlarmOptions, DashboardOptions {
  /**
   * The routes: each sends requests to one queue, stream, event bus or workflow. More can be added
   * with `addRoute`.
   *
   * @default - none
   */
  readonly routes?: FrontDoorRoute[];
}

/** Settings every route accepts. */
export interface FrontDoorRouteOptions {
  /** Path of the route, e.g. `orders` or `v1/orders` (no leading slash). */
  readonly path: string;

  /**
   * HTTP method: `POST`, `PUT` or `PATCH`.
   *
   * @default 'POST'
   */
  readonly method?: string;

  /**
   * REST only: JSON schema (draft 4) of the request body; API Gateway answers 400 to a body that
   * does not match, before it reaches the backend. Fields the route reads (partition key, group
   * id) are added to `required` as strings.
   *
   * @default - any JSON object (plus the fields the route reads)
   */
  readonly requestSchema?: apigateway.JsonSchema;

  /**
   * Throttling of this route.
   *
   * @default - the API's throttling
   */
  readonly throttling?: FrontDoorThrottling;

  /**
   * How long API Gateway waits for the backend: 50 ms to 29 seconds.
   * A token (e.g. a CfnParameter) must be given in milliseconds, `Duration.millis(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * @default Duration.seconds(29)
   */
  readonly integrationTimeout?: Duration;
}

/** The HTTP methods a route may use. */
export const ROUTE_METHODS = ['POST', 'PUT', 'PATCH'];
