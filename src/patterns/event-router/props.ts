import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RouteTarget } from './route-target';
import { AlarmOptions } from '../../monitoring/alarm-options';
import { DashboardOptions } from '../../monitoring/dashboard-options';

/**
 * A route: which events (a pattern) go where (up to five targets).
 */
export interface RouteProps {
  /**
   * Which events the route takes, written with aws-cdk-lib's `events.Match` helpers, e.g.
   * `{ source: ['prices'], detailType: ['PriceRecorded'], detail: { change: events.Match.anyOf(events.Match.greaterThanOrEqual(5), events.Match.lessThanOrEqual(-5)) } }`.
   */
  readonly pattern: events.EventPattern;

  /** Where matching events go: 1 to 5 targets (AWS's limit per rule). */
  readonly targets: RouteTarget[];

  /**
   * Description of the rule.
   *
   * @default - the route's name and router path
   */
  readonly description?: string;

  /**
   * Whether the rule is enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Retention of the route's dead-letter queue (the default DLQ of its targets).
   *
   * @default Duration.days(14) (SQS's maximum: time to inspect and redrive)
   */
  readonly deadLetterRetention?: Duration;
}

/** A route with its name, for {@link EventRouterProps.routes}. */
export interface NamedRouteProps extends RouteProps {
  /** Name of the route (letters, digits, - and _): construct ids, alarms and dashboard use it. */
  readonly name: string;
}

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
export interface EventRouterProps extends AlarmOptions, DashboardOptions {
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
   * Routes to create with the router (more can be added with `addRoute`). In error messages
   * `routes[i]` is the i-th route: these first, then those added with `addRoute`, in order.
   *
   * @default - none
   */
  readonly routes?: NamedRouteProps[];

  /**
   * The account's event pattern size quota, in characters (AWS: 2,048 by default, up to 4,096).
   *
   * @default 2048
   */
  readonly eventPatternSizeQuota?: number;
}
