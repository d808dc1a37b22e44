import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EventRoute, RouteProps } from './event-route';
import { checkArchive, checkBusName, checkRouteName, EVENT_ROUTER_LIMITS } from './rules';
import { check, checkNoSettingsWithExisting, checkNumberInRange } from '../../core/validation';
import { AlarmOptions } from '../../monitoring/alarm-options';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';

/** Settings of the router's archive (replayable copy of the bus's events). */
export interface EventArchiveOptions {
  /**
   * Create the archive.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Name of the archive (1 to 48 letters, digits, . - _).
   *
   * @default - generated
   */
  readonly archiveName?: string;

  /**
   * How long archived events are kept, in whole days (at least 1).
   *
   * @default Duration.days(90)
   */
  readonly retention?: Duration;

  /**
   * Which events are archived.
   *
   * @default - every event on the bus from this account and those allowed to publish
   */
  readonly pattern?: events.EventPattern;
}

/** Properties of an {@link EventRouter}. */
export interface EventRouterProps extends AlarmOptions {
  /**
   * Route on this bus instead of creating one, e.g. the default bus for AWS service events
   * (`events.EventBus.fromEventBusName(this, 'Default', 'default')`). Bus settings
   * (`eventBusName`, `encryptionKey`) cannot be applied to it.
   *
   * @default - a new custom bus
   */
  readonly existingEventBus?: events.IEventBus;

  /**
   * Name of the new bus (1 to 256 letters, digits, . - _; not `default`).
   *
   * @default - generated
   */
  readonly eventBusName?: string;

  /**
   * Customer-managed KMS key for the bus's events at rest (and the archive's). EventBridge is
   * granted its use in the key policy, scoped to this bus.
   *
   * @default - an AWS-owned key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The archive, for replay.
   *
   * @default - an archive of every event, kept 90 days
   */
  readonly archive?: EventArchiveOptions;

  /**
   * Accounts allowed to put events on the bus (`events:PutEvents` on this bus only).
   *
   * @default - none
   */
  readonly publisherAccounts?: string[];

  /**
   * AWS Organization (e.g. `o-a1b2c3d4e5`) whose accounts may put events on the bus
   * (condition `aws:PrincipalOrgID`).
   *
   * @default - none
   */
  readonly publisherOrganizationId?: string;

  /**
   * Restrict what outside publishers may send to these `source` values (condition `events:source`).
   *
   * @default - any source
   */
  readonly publisherSources?: string[];

  /**
   * The account's event pattern size quota, in characters (AWS: 2,048 by default, up to 4,096).
   *
   * @default 2048
   */
  readonly eventPatternSizeQuota?: number;

  /**
   * Create a dashboard for the router.
   *
   * @default true
   */
  readonly dashboardEnabled?: boolean;

  /**
   * Name of the dashboard.
   *
   * @default - generated
   */
  readonly dashboardName?: string;
}

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
    if (props.existingEventBus) {
      checkNoSettingsWithExisting(this, 'existingEventBus', { eventBusName: props.eventBusName, encryptionKey: props.encryptionKey });
    }
    checkBusName(this, 'eventBusName', props.eventBusName);
    checkArchive(this, 'archive', props.archive?.archiveName, props.archive?.retention);
    checkNumberInRange(this, 'eventPatternSizeQuota', props.eventPatternSizeQuota, {
      min: 1, max: EVENT_ROUTER_LIMITS.maxPatternSize, unit: 'characters',
    });
    for (const [i, account] of (props.publisherAccounts ?? []).entries()) {
      check(this, !/^\d+$/.test(account) || /^\d{12}$/.test(account), {
        prop: `publisherAccounts[${i}]`, value: `"${account}"`, allowed: 'a 12-digit AWS account id', fix: `correct publisherAccounts[${i}]`,
      });
    }
    if (props.publisherOrganizationId !== undefined && !props.publisherOrganizationId.startsWith('${')) {
      check(this, /^o-[a-z0-9]{10,32}$/.test(props.publisherOrganizationId), {
        prop: 'publisherOrganizationId',
        value: `"${props.publisherOrganizationId}"`,
        allowed: 'an AWS Organizations id, o- followed by 10 to 32 lowercase letters or digits',
        fix: 'copy the id from the Organizations console',
      });
    }

    this.encryptionKey = props.encryptionKey;
    this.eventBus = props.existingEventBus ?? new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      kmsKey: props.encryptionKey,
      description: `Bus of ${this.node.path}`,
    });

    if ((props.archive?.enabled ?? true)) this.archive = this.createArchive(props.archive ?? {});
    this.addPublisherPolicy();

    if (props.dashboardEnabled ?? true) {
      this.dashboard = new PatternDashboard(this, 'Dashboard', {
        dashboardName: props.dashboardName,
        description: 'EventRouter: per route, matched events and invocations, failures after retries, dead letters.',
      });
    }
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
    checkRouteName(this, name, this.routes.map(r => r.routeName));
    const route = new EventRoute(this, name, name, props, {
      eventBus: this.eventBus,
      eventBusName: this.eventBus.eventBusName,
      patternSizeQuota: this.props.eventPatternSizeQuota ?? EVENT_ROUTER_LIMITS.defaultPatternSize,
      alarmsEnabled: this.props.alarmsEnabled ?? true,
      alarmTopic: this.props.alarmTopic,
    });
    this.routes.push(route);
    this.dashboard?.addBlock(`Route ${name}`, route);
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
