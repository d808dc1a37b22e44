import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EventRouterProps, RouteProps } from './props';
import { eventPatternProblem, eventPatternProblemOf } from '../../core/event-pattern';
import { groupThousands, NAME_RULES, Rule, Violations } from '../../core/validation';

/** AWS's limits on what EventRouter emits. */
export const EVENT_ROUTER_LIMITS = {
  /** Targets per rule. */
  targetsPerRule: 5,
  /** Characters of a rule's event pattern: 2,048 by default (a quota AWS raises to 4,096 on request). */
  defaultPatternSize: 2048,
  maxPatternSize: 4096,
  /** Target retry policy (PutTargets RetryPolicy). */
  minEventAge: Duration.seconds(60),
  maxEventAge: Duration.hours(24),
  maxRetryAttempts: 185,
  /**
   * A target's input, from AWS's EventBridge API model (PutTargets `Target`; botocore
   * events/2015-10-07): `Input` at most 8,192 characters, `InputTransformer.InputTemplate` 1 to
   * 8,192, `InputPath` at most 256, `InputTransformer.InputPathsMap` at most 100 entries.
   */
  maxInputLength: 8192,
  maxInputPathLength: 256,
  maxInputPaths: 100,
};

/** A target's input as PutTargets receives it (a `RuleTargetInput` bound and resolved). */
export interface RenderedTargetInput {
  readonly input?: unknown;
  readonly inputPath?: unknown;
  readonly inputTemplate?: unknown;
  readonly inputPathsMap?: unknown;
}

/** Length as AWS's API model counts it (Unicode code points). */
export function characters(s: string): number {
  return [...s].length;
}

/**
 * Checks a target's rendered input against AWS's limits. A part that is still a token or a
 * CloudFormation intrinsic (a reference to a resource) is not known at synth and not checked.
 */
export function checkTargetInput(prop: string, rendered: RenderedTargetInput, v: Violations): void {
  const fix = 'send less: pick the fields the target needs with events.EventField paths (an input transformer), or events.RuleTargetInput.fromEventPath(\'$.detail\'), and let the target fetch the rest';
  for (const [field, value] of [['Input', rendered.input], ['InputTransformer.InputTemplate', rendered.inputTemplate]] as const) {
    if (typeof value !== 'string' || Token.isUnresolved(value)) continue;
    const n = characters(value);
    v.check('EVENT_ROUTER_TARGET_INPUT_SIZE', n >= 1 && n <= EVENT_ROUTER_LIMITS.maxInputLength, {
      prop: `${prop}.input`,
      value: `${groupThousands(n)} characters (the rendered ${field})`,
      allowed: `1 to ${groupThousands(EVENT_ROUTER_LIMITS.maxInputLength)} characters (AWS's limit on a rule target's ${field})`,
      fix,
    });
  }
  if (typeof rendered.inputPath === 'string' && !Token.isUnresolved(rendered.inputPath)) {
    const n = characters(rendered.inputPath);
    v.check('EVENT_ROUTER_TARGET_INPUT_PATH', n <= EVENT_ROUTER_LIMITS.maxInputPathLength, {
      prop: `${prop}.input`,
      value: `InputPath of ${groupThousands(n)} characters`,
      allowed: `at most ${EVENT_ROUTER_LIMITS.maxInputPathLength} characters (AWS's limit on a rule target's InputPath)`,
      fix: 'use a shorter JSON path, e.g. $.detail',
    });
  }
  const paths = rendered.inputPathsMap;
  if (paths && typeof paths === 'object' && !Array.isArray(paths)) {
    const n = Object.keys(paths).length;
    v.check('EVENT_ROUTER_TARGET_INPUT_FIELDS', n <= EVENT_ROUTER_LIMITS.maxInputPaths, {
      prop: `${prop}.input`,
      value: `${n} event fields (InputTransformer.InputPathsMap entries)`,
      allowed: `at most ${EVENT_ROUTER_LIMITS.maxInputPaths} fields (AWS's limit on InputPathsMap)`,
      fix: 'use fewer events.EventField paths: take a parent object (e.g. $.detail) instead of its fields one by one',
    });
    for (const [key, path] of Object.entries(paths)) {
      if (typeof path !== 'string' || Token.isUnresolved(path)) continue;
      v.check('EVENT_ROUTER_TARGET_INPUT_PATH', characters(path) <= EVENT_ROUTER_LIMITS.maxInputPathLength, {
        prop: `${prop}.input`,
        value: `event field ${key} with a path of ${groupThousands(characters(path))} characters`,
        allowed: `at most ${EVENT_ROUTER_LIMITS.maxInputPathLength} characters per path (AWS's limit on InputPathsMap values)`,
        fix: 'use a shorter JSON path',
      });
    }
  }
}

/** The router's rule table (checked before anything is built). */
export const ROUTER_RULES: ReadonlyArray<Rule<EventRouterProps>> = [
  (p, v) => {
    if (!p.existingEventBus) return;
    for (const [prop, value] of Object.entries({ eventBusName: p.eventBusName, encryptionKey: p.encryptionKey })) {
      v.notSetWith('EVENT_ROUTER_SETTING_WITH_EXISTING_BUS', prop, value,
        'when existingEventBus is given (an imported bus, e.g. the default bus, cannot be reconfigured here)',
        `remove ${prop}, or drop existingEventBus so the router creates and configures its own bus`);
    }
  },
  (p, v) => {
    v.name('EVENT_ROUTER_BUS_NAME', 'eventBusName', p.eventBusName, NAME_RULES.eventBus);
    const name = p.eventBusName;
    if (name === undefined || Token.isUnresolved(name)) return;
    v.check('EVENT_ROUTER_BUS_NAME_RESERVED', name !== 'default' && !name.startsWith('aws.'), {
      prop: 'eventBusName',
      value: `"${name}"`,
      allowed: 'a name other than "default" and not starting with "aws." (reserved for the default bus and partner event sources)',
      fix: 'give existingEventBus: events.EventBus.fromEventBusName(this, \'Default\', \'default\') to route on the default bus, or rename eventBusName',
    });
  },
  (p, v) => v.name('EVENT_ROUTER_ARCHIVE_NAME', 'archive.archiveName', p.archive?.archiveName, NAME_RULES.archive),
  (p, v) => {
    // An archive's pattern is an event pattern like a rule's (CreateArchive EventPattern); AWS refuses a malformed one.
    const pattern = p.archive?.pattern;
    if (pattern === undefined || Token.isUnresolved(JSON.stringify(pattern))) return;
    const problem = eventPatternProblemOf(pattern);
    v.check('EVENT_ROUTER_ARCHIVE_PATTERN', problem === undefined, {
      prop: 'archive.pattern',
      value: problem ?? '',
      allowed: 'an EventBridge event pattern: fields with arrays of values or matchers (aws-cdk-lib events.Match helpers write them)',
      fix: 'write archive.pattern with events.Match helpers, e.g. { source: [\'prices\'] }, or leave it unset to archive every event of this account',
    });
  },
  (p, v) => {
    if (p.archive?.enabled !== false) return;
    const { archiveName, retention, pattern } = p.archive;
    for (const [prop, value] of Object.entries({ archiveName, retention, pattern })) {
      v.notSetWith('EVENT_ROUTER_ARCHIVE_DISABLED', `archive.${prop}`, value, 'when archive.enabled is false (no archive is created)',
        `remove archive.${prop}, or enable the archive`);
    }
  },
  (p, v) => {
    const r = p.archive?.retention;
    if (r === undefined || r.isUnresolved()) return;
    const days = r.toMilliseconds() / 86_400_000;
    v.check('EVENT_ROUTER_ARCHIVE_RETENTION', Number.isInteger(days) && days >= 1, {
      prop: 'archive.retention',
      value: r.toHumanString(),
      allowed: 'whole days, at least 1 (aws-cdk-lib turns 0 into "keep forever")',
      fix: 'set archive.retention to Duration.days(n) with n >= 1, or leave it unset for 90 days',
    });
  },
  (p, v) => v.numberInRange('EVENT_ROUTER_PATTERN_SIZE_QUOTA', 'eventPatternSizeQuota', p.eventPatternSizeQuota, {
    min: 1, max: EVENT_ROUTER_LIMITS.maxPatternSize, unit: 'characters',
  }),
  (p, v) => {
    v.nonEmpty('EVENT_ROUTER_PUBLISHER_ACCOUNTS_EMPTY', 'publisherAccounts', p.publisherAccounts, 'name at least one account, or leave publisherAccounts unset');
    for (const [i, account] of (p.publisherAccounts ?? []).entries()) {
      if (Token.isUnresolved(account)) continue;
      v.check('EVENT_ROUTER_PUBLISHER_ACCOUNT', /^\d{12}$/.test(account), {
        prop: `publisherAccounts[${i}]`, value: `"${account}"`, allowed: 'a 12-digit AWS account id', fix: `correct publisherAccounts[${i}]`,
      });
    }
  },
  (p, v) => {
    const org = p.publisherOrganizationId;
    if (org === undefined || Token.isUnresolved(org)) return;
    v.check('EVENT_ROUTER_ORGANIZATION_ID', /^o-[a-z0-9]{10,32}$/.test(org), {
      prop: 'publisherOrganizationId',
      value: `"${org}"`,
      allowed: 'an AWS Organizations id: o- followed by 10 to 32 lowercase letters or digits',
      fix: 'copy the id from the AWS Organizations console',
    });
  },
  (p, v) => {
    v.nonEmpty('EVENT_ROUTER_PUBLISHER_SOURCES_EMPTY', 'publisherSources', p.publisherSources, 'name at least one source, or leave publisherSources unset for any source');
    for (const [i, source] of (p.publisherSources ?? []).entries()) {
      if (Token.isUnresolved(source)) continue;
      // PutEvents Source: 1 to 256 characters (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html).
      v.check('EVENT_ROUTER_PUBLISHER_SOURCE', source.length >= 1 && source.length <= 256, {
        prop: `publisherSources[${i}]`, value: `"${source}" (${source.length} characters)`, allowed: 'an event source of 1 to 256 characters', fix: `correct publisherSources[${i}], e.g. "partner.orders"`,
      });
    }
  },
  (p, v) => {
    v.check('EVENT_ROUTER_SOURCES_WITHOUT_PUBLISHERS', p.publisherSources === undefined || p.publisherAccounts !== undefined || p.publisherOrganizationId !== undefined, {
      prop: 'publisherSources',
      value: JSON.stringify(p.publisherSources),
      allowed: 'only together with publisherAccounts or publisherOrganizationId',
      fix: 'add publisherAccounts or publisherOrganizationId, or remove publisherSources',
    });
  },
];

/** What a route's rules need besides its props. */
export interface RouteRuleContext {
  /** `routes[i]`, as messages name the route. */
  readonly prop: string;
  readonly name: string;
  readonly existingNames: readonly string[];
  readonly patternSizeQuota: number;
  /** The pattern as CloudFormation will receive it (events.Match helpers rendered). */
  readonly renderedPattern: unknown;
  /** Why aws-cdk-lib could not render the pattern, if it could not. */
  readonly renderError?: string;
}

/** A route's rule table. */
export const ROUTE_RULES: ReadonlyArray<(p: RouteProps, c: RouteRuleContext, v: Violations) => void> = [
  (p, c, v) => {
    const n = (p.targets ?? []).length;
    v.check('EVENT_ROUTER_TARGETS_PER_ROUTE', n >= 1 && n <= EVENT_ROUTER_LIMITS.targetsPerRule, {
      prop: `${c.prop}.targets`,
      value: `${n} targets`,
      allowed: `1 to ${EVENT_ROUTER_LIMITS.targetsPerRule} targets per route (AWS's limit per rule)`,
      fix: `split ${c.prop} into two routes with the same pattern, or fan out through one SNS topic target`,
    });
  },
  (p, c, v) => {
    // PutRule Description: at most 512 characters (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html).
    const d = p.description;
    if (d === undefined || Token.isUnresolved(d)) return;
    v.check('EVENT_ROUTER_RULE_DESCRIPTION', d.length <= 512, {
      prop: `${c.prop}.description`, value: `${d.length} characters`, allowed: 'at most 512 characters (EventBridge rule description)', fix: `shorten ${c.prop}.description`,
    });
  },
  (_p, c, v) => {
    // An empty pattern renders as nothing: report it as the empty pattern it is.
    const rendered = c.renderedPattern ?? {};
    const json = JSON.stringify(rendered);
    if (Token.isUnresolved(json)) return;
    const problem = c.renderError ?? eventPatternProblem(rendered);
    v.check('EVENT_ROUTER_PATTERN_INVALID', problem === undefined, {
      prop: `${c.prop}.pattern`,
      value: problem ?? '',
      allowed: 'an EventBridge event pattern: fields with arrays of values or matchers (aws-cdk-lib events.Match helpers write them)',
      fix: `write ${c.prop}.pattern with events.Match helpers, e.g. { detail: { symbol: events.Match.prefix('AM') } }`,
    });
    if (Token.isUnresolved(c.patternSizeQuota) || c.renderError !== undefined) return;
    v.check('EVENT_ROUTER_PATTERN_SIZE', json.length <= c.patternSizeQuota, {
      prop: `${c.prop}.pattern`,
      value: `${groupThousands(json.length)} characters`,
      allowed: `at most ${groupThousands(c.patternSizeQuota)} characters (the account's event pattern size quota; AWS's default is 2,048, raisable to 4,096)`,
      fix: `shorten ${c.prop}.pattern (split it into two routes, or match on a shorter field), or raise the quota and set eventPatternSizeQuota`,
    });
  },
  (p, c, v) => v.durationInRange('EVENT_ROUTER_DLQ_RETENTION', `${c.prop}.deadLetterRetention`, p.deadLetterRetention, {
    min: Duration.minutes(1), max: Duration.days(14),
  }),
];

/**
 * Checks a route's name before its constructs exist (a taken name would otherwise fail as a
 * construct id clash, with CDK's message instead of ours).
 */
export function checkRouteName(scope: IConstruct, prop: string, name: string, existingNames: readonly string[],
  reservedIds: readonly string[] = []): void {
  const v = new Violations(scope);
  v.check('EVENT_ROUTER_ROUTE_NAME', /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name), {
    prop: `${prop}.name`,
    value: `"${name}"`,
    allowed: '1 to 64 letters, digits, - or _, starting with a letter or digit',
    fix: 'name the route for what it routes, e.g. "PriceAlerts"',
  });
  v.check('EVENT_ROUTER_ROUTE_NAME_TAKEN', !existingNames.includes(name), {
    prop: `${prop}.name`, value: `"${name}" (already used by another route)`, allowed: 'a name no other route of this router uses', fix: 'give each route its own name',
  });
  v.check('EVENT_ROUTER_ROUTE_NAME_TAKEN', existingNames.includes(name) || !reservedIds.includes(name), {
    prop: `${prop}.name`,
    value: `"${name}" (the router's own ${name} uses that id)`,
    allowed: `a name other than those of the router's own parts (${reservedIds.join(', ')})`,
    fix: 'name the route for what it routes, e.g. "PriceAlerts"',
  });
  v.throwIfAny();
}
