import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HTTP_STAGE, HttpFrontDoorApi } from './http-api';
import { FrontDoorMetrics, frontDoorAlarms, frontDoorWidgets } from './monitoring';
import { FrontDoorApiKind, FrontDoorAuthorization, FrontDoorProps } from './props';
import { ResolvedThrottling, resolveThrottling, RestFrontDoorApi } from './rest-api';
import { FrontDoorRoute, WorkflowRoute } from './route';
import { API_RULES, ROUTE_RULES, RouteRuleInput } from './rules';
import { validateProps, Violations } from '../../core/validation';
import { patternDashboard } from '../../monitoring/dashboard-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';

const DEFAULT_THROTTLING: ResolvedThrottling = { rateLimit: 100, burstLimit: 200 };

/**
 * One API Gateway front door for queues, streams, buses and workflows: each route sends the
 * request straight to its backend with an AWS service integration (no Lambda in between), with
 * its own least-privilege role (one action on one resource).
 *
 * REST (default): request models and validators, IAM / Cognito / API key + usage plan / Lambda
 * authorizer, per-route throttling, JSON access logs, regional WAF, CORS, and mapping templates
 * that answer with the message id / sequence number / event id / execution ARN — 4XX for the
 * caller's faults, 5XX for ours, never 200 for a failed PutEvents entry.
 * HTTP API: the same routes as first-class integrations, cheaper, with fewer guarantees (see
 * FrontDoorApiKind.HTTP); options it cannot honour are refused at synth time.
 */
export class FrontDoor extends Construct implements IMonitoredBlock {
  /** REST or HTTP. */
  public readonly apiKind: FrontDoorApiKind;
  /** The REST API (FrontDoorApiKind.REST). */
  public readonly restApi?: apigateway.RestApi;
  /** The HTTP API (FrontDoorApiKind.HTTP). */
  public readonly httpApi?: apigwv2.HttpApi;
  /** The URL of the stage, ending in `/`. */
  public readonly url: string;
  /** The access log group (JSON, one line per request). */
  public readonly accessLogGroup: logs.LogGroup;
  /** The API key (REST with FrontDoorAuthorization.API_KEY). */
  public readonly apiKey?: apigateway.IApiKey;
  /** The usage plan (REST with FrontDoorAuthorization.API_KEY). */
  public readonly usagePlan?: apigateway.UsagePlan;
  /** The alarms: 5XX, 4XX rate, latency p99, integration latency p99 (empty when disabled). */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The dashboard the front door's section is on (undefined with `dashboardEnabled: false`). */
  public readonly dashboard?: PatternDashboard;

  private readonly rest?: RestFrontDoorApi;
  private readonly http?: HttpFrontDoorApi;
  private readonly metrics: FrontDoorMetrics;
  private readonly stageThrottling: ResolvedThrottling;
  private readonly routeKeys = new Map<string, string>();
  private readonly invokeArns: string[] = [];
  private routeCount = 0;

  constructor(scope: Construct, id: string, props: FrontDoorProps = {}) {
    super(scope, id);
    this.apiKind = props.apiKind ?? FrontDoorApiKind.REST;
    // Every violation of the API and of the routes given in props, in one error.
    const authorization = props.authorization ?? FrontDoorAuthorization.IAM;
    const v = new Violations(this);
    for (const rule of API_RULES) rule({ props, apiKind: this.apiKind, authorization }, v);
    const taken = new Map<string, string>();
    (props.routes ?? []).forEach((route, i) => {
      const input = this.routeInput(route, i, taken);
      for (const rule of ROUTE_RULES) rule(input, v);
      taken.set(`${input.method} /${route.options.path}`, input.prop);
    });
    v.throwIfAny();
    this.stageThrottling = resolveThrottling(props.throttling, DEFAULT_THROTTLING);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (this.apiKind === FrontDoorApiKind.REST) {
      this.rest = new RestFrontDoorApi(this, props, this.stageThrottling, this.accessLogGroup);
      this.restApi = this.rest.api;
      this.apiKey = this.rest.apiKey;
      this.usagePlan = this.rest.usagePlan;
      this.url = this.rest.api.url;
      this.metrics = new FrontDoorMetrics({ ApiName: this.rest.api.restApiName, Stage: this.rest.api.deploymentStage.stageName }, true);
    } else {
      this.http = new HttpFrontDoorApi(this, props, this.stageThrottling, this.accessLogGroup);
      this.httpApi = this.http.api;
      this.url = this.http.url;
      this.metrics = new FrontDoorMetrics({ ApiId: this.http.api.apiId, Stage: HTTP_STAGE }, false);
    }
    for (const route of props.routes ?? []) this.addRoute(route);

    this.alarms = props.alarmsEnabled === false ? [] : frontDoorAlarms(this, this.metrics, {
      latencyP99: props.latencyP99Threshold ?? Duration.seconds(2),
      integrationLatencyP99: props.integrationLatencyP99Threshold ?? Duration.seconds(1),
      clientErrorRate: props.clientErrorRateThreshold ?? 0.1,
      alarmTopic: props.alarmTopic,
    });
    this.dashboard = patternDashboard(this, props,
      `API Gateway (${this.apiKind}) front door: requests go straight to queues, streams, buses and workflows.`);
    this.dashboard?.addBlock(`Front door ${this.node.path}`, this);
  }

  /**
   * Adds a route. Its errors name it `routes[i]`, counting the routes given in props first.
   */
  public addRoute(route: FrontDoorRoute): void {
    const input = this.routeInput(route, this.routeCount, this.routeKeys);
    validateProps(this, input, ROUTE_RULES);
    const index = this.routeCount++;
    const { prop, method } = input;
    const o = route.options;
    const path = o.path;
    this.routeKeys.set(`${method} /${path}`, prop);
    if (route instanceof WorkflowRoute && route.options.synchronous && !(route.options.stateMachine instanceof sfn.StateMachine)) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:frontDoorSyncImported',
        `${prop}.synchronous: the imported state machine must be EXPRESS (StartSyncExecution); CDK cannot check an imported one.`);
    }
    const throttling = o.throttling ? resolveThrottling(o.throttling, this.stageThrottling) : undefined;
    const routeId = `Route${index}`;
    if (this.rest) {
      this.rest.addRoute(route, routeId, method, path, o.integrationTimeout, throttling);
      this.invokeArns.push(this.rest.api.arnForExecuteApi(method, `/${path}`, this.rest.api.deploymentStage.stageName));
    } else {
      this.http!.addRoute(route, routeId, method, path, o.integrationTimeout, throttling);
      this.invokeArns.push(Stack.of(this).formatArn({ service: 'execute-api', resource: this.http!.api.apiId, resourceName: `${HTTP_STAGE}/${method}/${path}` }));
    }
  }

  private routeInput(route: FrontDoorRoute, index: number, taken: ReadonlyMap<string, string>): RouteRuleInput {
    return { route, prop: `routes[${index}]`, method: (route.options.method ?? 'POST').toUpperCase(), apiKind: this.apiKind, taken };
  }

  /** Lets `grantee` call every route (FrontDoorAuthorization.IAM): `execute-api:Invoke` on each route's ARN. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [...this.invokeArns] });
  }

  /** Requests, 5XX, 4XX rate and latency of the API. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return frontDoorWidgets(this.metrics);
  }
}
