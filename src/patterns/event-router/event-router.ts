import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EventRoute } from './event-route';
import { EventArchiveOptions, EventRouterProps, RouteProps } from './props';
import { checkRouteName, EVENT_ROUTER_LIMITS, ROUTER_RULES } from './rules';
import { check, validateProps } from '../../core/validation';
import { patternDashboard } from '../../monitoring/dashboard-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';

/**
 * An EventBridge bus with routes: typed patterns → up to five targets each, every target with a
 * dead-letter queue and a retry policy; an archive for replay; a resource policy for outside
 * publishers; alarms with `EventBusName`/`RuleName` dimensions and one dashboard.
 *
 * Replay: `aws events start-replay --replay-name fix-1 --event-source-arn <archiveArn>
 * --destination Arn=<eventBusArn> --event-start-time ... --event-end-time ...` re-delivers the
 * archived events of that window to the bus's rules (events carry `replay-name`).
 */
export class EventRouter extends Construct implements IMonitoredBlock {
  /** The bus (new or the existing one). */
  public readonly eventBus: events.IEventBus;
  /** The archive, when enabled. */
  public readonly archive?: events.Archive;
  /** The key of the bus, when given. */
  public readonly encryptionKey?: kms.IKey;
  /** The routes, in the order added. */
  public readonly routes: EventRoute[] = [];
  /** The dashboard, when enabled. */
  public readonly dashboard?: PatternDashboard;

  private readonly props: EventRouterProps;

  constructor(scope: Construct, id: string, props: EventRouterProps = {}) {
    super(scope, id);
    this.props = props;
    validateProps(this, props, ROUTER_RULES);

    this.encryptionKey = props.encryptionKey;
    this.eventBus = props.existingEventBus ?? new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      kmsKey: props.encryptionKey,
      description: `Bus of ${this.node.path}`,
    });

    if ((props.archive?.enabled ?? true)) this.archive = this.createArchive(props.archive ?? {});
    this.addPublisherPolicy();

    this.dashboard = patternDashboard(this, props,
      'EventRouter: per route, matched events and invocations, failures after retries, dead letters.');
    for (const route of props.routes ?? []) this.addRoute(route.name, route);
  }

  /** The name of the bus, as metrics know it. */
  public get eventBusName(): string {
    return this.eventBus.eventBusName;
  }

  /** The alarms of every route. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.routes.flatMap(r => r.alarms);
  }

  /**
   * Adds a route: a rule with `pattern` and its targets (each with a DLQ and retry policy).
   * `name` (letters, digits, - and _) names the route in construct ids, errors and alarms.
   */
  public addRoute(name: string, props: RouteProps): EventRoute {
    const routeNames = this.routes.map(r => r.routeName);
    checkRouteName(this, `routes[${this.routes.length}]`, name, routeNames,
      this.node.children.map(c => c.node.id).filter(id => !routeNames.includes(id)));
    const route = new EventRoute(this, name, name, props, {
      prop: `routes[${this.routes.length}]`,
      existingNames: this.routes.map(r => r.routeName),
      eventBus: this.eventBus,
      eventBusName: this.eventBus.eventBusName,
      patternSizeQuota: this.props.eventPatternSizeQuota ?? EVENT_ROUTER_LIMITS.defaultPatternSize,
      alarmsEnabled: this.props.alarmsEnabled ?? true,
      alarmTopic: this.props.alarmTopic,
    });
    this.routes.push(route);
    this.dashboard?.addBlock(`${this.node.path} route ${name}`, route);
    return route;
  }

  /** Lets `grantee` put events on this bus (`events:PutEvents` on this bus's ARN only). */
  public grantPutEvents(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['events:PutEvents'], resourceArns: [this.eventBus.eventBusArn] });
  }

  /**
   * Lets `grantee` start and watch replays of the archive into this bus.
   * Throws when the router has no archive.
   */
  public grantStartReplay(grantee: iam.IGrantable): iam.Grant {
    check(this, this.archive !== undefined, {
      prop: 'archive.enabled', value: 'false', allowed: 'an archive to replay from', fix: 'enable the archive (the default) to replay events',
    });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['events:StartReplay', 'events:DescribeReplay', 'events:CancelReplay', 'events:ListReplays'],
      resourceArns: [
        this.archive!.archiveArn,
        Stack.of(this).formatArn({ service: 'events', resource: 'replay', resourceName: '*' }),
      ],
    });
  }

  /** Widgets of every route, for a dashboard of yours. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return this.routes.flatMap(r => r.dashboardWidgets());
  }

  private createArchive(options: EventArchiveOptions): events.Archive {
    const archive = new events.Archive(this, 'Archive', {
      sourceEventBus: this.eventBus,
      archiveName: options.archiveName,
      retention: options.retention ?? Duration.days(90),
      eventPattern: options.pattern ?? { account: [Stack.of(this).account, ...(this.props.publisherAccounts ?? [])] },
      description: `Archive of ${this.node.path}`,
      // Not `kmsKey`: the Archive class then writes a key policy on the bus's Fn::GetAtt Arn,
      // which makes a cycle (key → bus → key). The key is set below with a policy on the bus's name.
    });
    const cfn = archive.node.defaultChild as events.CfnArchive;
    if (this.encryptionKey) {
      cfn.addPropertyOverride('KmsKeyIdentifier', this.encryptionKey.keyArn);
      this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'EventBridgeArchive',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }));
    } else {
      // aws-cdk-lib 2.257 writes "KmsKeyIdentifier": "" without a key, which AWS rejects
      // (aws-cdk issue 37847). Leave the property out instead; a test notices the upstream fix.
      cfn.addPropertyDeletionOverride('KmsKeyIdentifier');
    }
    return archive;
  }

  private addPublisherPolicy(): void {
    const accounts = this.props.publisherAccounts ?? [];
    const org = this.props.publisherOrganizationId;
    if (accounts.length === 0 && org === undefined) return;
    const sources = this.props.publisherSources;
    const statements: Array<[string, iam.PolicyStatement]> = [];
    if (accounts.length > 0) {
      statements.push(['PublisherAccounts', new iam.PolicyStatement({
        sid: 'PublisherAccounts',
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        principals: accounts.map(a => new iam.AccountPrincipal(a)),
        conditions: sources ? { StringEquals: { 'events:source': sources } } : undefined,
      })]);
    }
    if (org !== undefined) {
      statements.push(['PublisherOrganization', new iam.PolicyStatement({
        sid: 'PublisherOrganization',
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        principals: [new iam.AnyPrincipal()],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': org, ...(sources ? { 'events:source': sources } : {}) } },
      })]);
    }
    for (const [sid, statement] of statements) {
      // EventBusPolicy works for a new and an existing bus alike (bus.addToResourcePolicy is a no-op on imported buses).
      new events.EventBusPolicy(this, `${sid}Policy`, {
        eventBus: this.eventBus,
        statement: statement.toJSON(),
        statementId: `${sid}-${Names.uniqueId(this)}`.slice(0, 64),
      });
    }
  }
}
