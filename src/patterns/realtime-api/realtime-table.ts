import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tableDataSourceName } from './names';
import type { RealtimeApi } from './realtime-api';
import { fieldRule } from './rules';
import { shippedResolverCode } from './shipped-resolvers';
import { Violations } from '../../core/validation';

/**
 * The change feed a delta query reads: a global secondary index whose partition key is one
 * attribute every item carries with the same value and whose sort key is the update timestamp.
 */
export interface ChangeFeedOptions {
  /** Name of the global secondary index (partition: `feedAttribute`, sort: `updatedAtAttribute`, projection ALL). */
  readonly indexName: string;

  /**
   * String attribute that puts an item into the feed (the index's partition key).
   *
   * @default 'changeFeed'
   */
  readonly feedAttribute?: string;

  /**
   * Value of `feedAttribute` the shipped update writes on every item. One value is one index
   * partition: about 1,000 writes per second; shard by tenant (your own resolver) beyond that.
   *
   * @default 'all'
   */
  readonly feedValue?: string;

  /**
   * Largest page the delta query returns, whatever `limit` a client asks. Range: 1 to 1,000.
   *
   * @default 100
   */
  readonly maxPageSize?: number;

  /**
   * How far before the server's clock `nextSince` lies: a write is stamped when AppSync handles
   * it and reaches the index moments later; the overlap re-delivers those seconds and clients
   * drop what they already hold by version. Range: 0 seconds to 5 minutes.
   *
   * @default Duration.seconds(5)
   */
  readonly overlap?: Duration;
}

/**
 * A DynamoDB table served by a {@link RealtimeApi} through the shipped resolvers.
 */
export interface RealtimeTableProps {
  /** Your table (its partition key is the item key; no sort key). */
  readonly existingTable: dynamodb.ITable;

  /**
   * Partition key attribute.
   *
   * @default 'id'
   */
  readonly keyAttribute?: string;

  /**
   * Number attribute the conflict-safe update checks and increments. Required for
   * `resolveVersionedUpdate` (conflict detection needs it).
   *
   * @default - no versioned writes
   */
  readonly versionAttribute?: string;

  /**
   * ISO-8601 attribute every versioned write stamps (the change feed's sort key).
   *
   * @default 'updatedAt'
   */
  readonly updatedAtAttribute?: string;

  /**
   * The index the delta query reads. Required for `resolveChangesSince`.
   *
   * @default - no delta query
   */
  readonly changeFeed?: ChangeFeedOptions;
}

/** Options of {@link RealtimeTable.resolveVersionedUpdate}. */
export interface VersionedUpdateOptions {
  /** Arguments of the mutation copied into the item (sent as null: removed; not sent: unchanged). */
  readonly updatableArguments: string[];

  /**
   * Argument carrying the item key.
   *
   * @default - the table's keyAttribute
   */
  readonly keyArgument?: string;

  /**
   * Argument carrying the version the client read (0 creates the item).
   *
   * @default 'expectedVersion'
   */
  readonly expectedVersionArgument?: string;
}

/**
 * A table bound to a RealtimeApi: a DynamoDB data source whose role only gets the actions the
 * resolvers added through it need (GetItem, UpdateItem, Query on the change-feed index).
 */
export class RealtimeTable extends Construct {
  /** The AppSync data source. */
  public readonly dataSource: appsync.DynamoDbDataSource;
  /** The data source's role (least privilege: grows with each resolver added). */
  public readonly role: iam.Role;
  private readonly realtimeApi: RealtimeApi;
  private readonly props: RealtimeTableProps;
  private readonly keyAttribute: string;

  /** Use {@link RealtimeApi.addTable}. */
  constructor(scope: RealtimeApi, id: string, props: RealtimeTableProps) {
    super(scope, id);
    this.realtimeApi = scope;
    this.props = props;
    this.keyAttribute = props.keyAttribute ?? 'id';
    {
      // DynamoDB attribute names are 1 to 255 bytes; index names 3 to 255 of a-z A-Z 0-9 _ - .
      // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
      const v = new Violations(this);
      for (const [prop, name] of [['keyAttribute', props.keyAttribute], ['versionAttribute', props.versionAttribute],
        ['updatedAtAttribute', props.updatedAtAttribute], ['changeFeed.feedAttribute', props.changeFeed?.feedAttribute]] as const) {
        if (name === undefined || Token.isUnresolved(name)) continue;
        v.check('REALTIME_TABLE_ATTRIBUTE_NAME', Buffer.byteLength(name, 'utf8') >= 1 && Buffer.byteLength(name, 'utf8') <= 255, {
          prop, value: `"${name}"`, allowed: 'a DynamoDB attribute name of 1 to 255 bytes', fix: `name the attribute in ${prop}, or leave it unset for the default`,
        });
      }
      const index = props.changeFeed?.indexName;
      if (index !== undefined && !Token.isUnresolved(index)) {
        v.check('REALTIME_TABLE_INDEX_NAME', /^[A-Za-z0-9_.-]{3,255}$/.test(index), {
          prop: 'changeFeed.indexName', value: `"${index}"`, allowed: 'a DynamoDB index name: 3 to 255 of a-z A-Z 0-9 _ - .', fix: 'name the table\'s change-feed index',
        });
      }
      v.throwIfAny();
    }
    if (props.changeFeed) {
      const v = new Violations(this);
      v.numberInRange('REALTIME_TABLE_PAGE_SIZE', 'changeFeed.maxPageSize', props.changeFeed.maxPageSize, { min: 1, max: 1000 });
      v.durationInRange('REALTIME_TABLE_OVERLAP', 'changeFeed.overlap', props.changeFeed.overlap, { min: Duration.seconds(0), max: Duration.minutes(5) });
      v.throwIfAny();
    }
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
      description: `AppSync data source ${this.node.path}`,
    });
    // aws-cdk-lib's data source grants read/write on the table and every index; an immutable
    // view of our role takes no grants, so the role holds only what each resolver adds below.
    this.dataSource = new appsync.DynamoDbDataSource(this, 'DataSource', {
      api: scope.api,
      // AppSync data source names are unique per API (the name is part of the data source's ARN):
      // each table's is named after it (`Orders` -> `OrdersTable`), so an API can hold several.
      name: tableDataSourceName(id),
      table: props.existingTable,
      serviceRole: iam.Role.fromRoleArn(this, 'RoleView', this.role.roleArn, { mutable: false }),
    });
    props.existingTable.encryptionKey?.grantEncryptDecrypt(this.role);
  }

  /** `typeName.fieldName(keyArgument)` returns the item (strongly consistent), or null. */
  public resolveGetItem(typeName: string, fieldName: string, keyArgument?: string): appsync.Resolver {
    const argument = keyArgument ?? this.keyAttribute;
    const method = `resolveGetItem("${typeName}", "${fieldName}")`;
    const v = new Violations(this);
    fieldRule(v, method, this.realtimeApi.schema, typeName, fieldName, [argument]);
    this.checkKey(v, method);
    v.throwIfAny();
    this.allow(['dynamodb:GetItem'], [this.props.existingTable.tableArn]);
    return this.realtimeApi._resolve(typeName, fieldName, this.dataSource, appsync.Code.fromInline(
      shippedResolverCode('get-item', { keyAttribute: this.keyAttribute, keyArgument: argument })));
  }

  /**
   * A conflict-safe write: succeeds only if the item is still at the version the client read;
   * otherwise the field fails with a `ConflictError` carrying the current item.
   */
  public resolveVersionedUpdate(typeName: string, fieldName: string, options: VersionedUpdateOptions): appsync.Resolver {
    const method = `resolveVersionedUpdate("${typeName}", "${fieldName}")`;
    const version = this.props.versionAttribute;
    const v = new Violations(this);
    v.check('REALTIME_TABLE_VERSION_ATTRIBUTE', version !== undefined && version !== '', {
      prop: 'versionAttribute',
      value: `${version === undefined ? 'not set' : '""'} (needed by ${method})`,
      allowed: 'the name of a Number attribute the update checks and increments, e.g. "version"',
      fix: `set versionAttribute on addTable("${this.node.id}", ...): conflict detection compares and increments it on every write`,
    });
    v.throwIfAny();
    this.checkNotKey(v, 'versionAttribute', version!);
    const keyArgument = options.keyArgument ?? this.keyAttribute;
    const expected = options.expectedVersionArgument ?? 'expectedVersion';
    fieldRule(v, method, this.realtimeApi.schema, typeName, fieldName, [keyArgument, expected, ...options.updatableArguments]);
    this.checkKey(v, method);
    v.nonEmpty('REALTIME_TABLE_UPDATABLE_ARGUMENTS', 'updatableArguments', options.updatableArguments, 'name the arguments the mutation copies into the item');
    const feed = this.feedConfig();
    // The update sets the key (no: a key cannot be updated), the version, updatedAt and the feed
    // attribute itself: DynamoDB refuses an UpdateItem that names one of them twice or a key attribute.
    const own: Record<string, string> = {
      [this.keyAttribute]: 'the key attribute', [version!]: 'versionAttribute', [feed.updatedAtAttribute]: 'updatedAtAttribute', [feed.feedAttribute]: 'changeFeed.feedAttribute',
    };
    options.updatableArguments.forEach((name, i) => {
      v.check('REALTIME_TABLE_UPDATABLE_ARGUMENTS', own[name] === undefined, {
        prop: `updatableArguments[${i}]`,
        value: `"${name}" (${own[name]}, which the update writes itself)`,
        allowed: 'arguments other than the key, version, updatedAt and feed attributes',
        fix: `remove "${name}" from updatableArguments: ${method} sets it`,
      });
    });
    v.throwIfAny();
    this.allow(['dynamodb:UpdateItem', 'dynamodb:GetItem'], [this.props.existingTable.tableArn]);
    return this.realtimeApi._resolve(typeName, fieldName, this.dataSource, appsync.Code.fromInline(shippedResolverCode('versioned-update', {
      ...this.feedConfig(),
      keyAttribute: this.keyAttribute,
      keyArgument,
      versionAttribute: version,
      expectedVersionArgument: expected,
      updatableArguments: options.updatableArguments,
    })));
  }

  /**
   * The delta query: items changed at or after `since`, oldest first, paginated, with
   * `nextSince` for the next catch-up. The field needs the arguments `since`, `limit` and `nextToken`.
   */
  public resolveChangesSince(typeName: string, fieldName: string): appsync.Resolver {
    const method = `resolveChangesSince("${typeName}", "${fieldName}")`;
    const feed = this.props.changeFeed;
    const v = new Violations(this);
    v.check('REALTIME_TABLE_CHANGE_FEED', feed !== undefined, {
      prop: 'changeFeed',
      value: `not set (needed by ${method})`,
      allowed: 'a global secondary index with partition key = the feed attribute and sort key = updatedAtAttribute',
      fix: `add such an index to the table and name it in addTable("${this.node.id}", { changeFeed: { indexName } })`,
    });
    v.throwIfAny();
    fieldRule(v, method, this.realtimeApi.schema, typeName, fieldName, ['since', 'limit', 'nextToken']);
    const config = this.feedConfig();
    this.checkIndex(v, config.deltaIndexName, config.feedAttribute, config.updatedAtAttribute);
    v.throwIfAny();
    this.allow(['dynamodb:Query'], [`${this.props.existingTable.tableArn}/index/${config.deltaIndexName}`]);
    return this.realtimeApi._resolve(typeName, fieldName, this.dataSource, appsync.Code.fromInline(shippedResolverCode('changes-since', config)));
  }

  private feedConfig() {
    const feed = this.props.changeFeed;
    return {
      updatedAtAttribute: this.props.updatedAtAttribute ?? 'updatedAt',
      feedAttribute: feed?.feedAttribute ?? 'changeFeed',
      feedValue: feed?.feedValue ?? 'all',
      deltaIndexName: feed?.indexName ?? '',
      maxPageSize: feed?.maxPageSize ?? 100,
      overlapSeconds: (feed?.overlap ?? Duration.seconds(5)).toSeconds(),
    };
  }

  private allow(actions: string[], resources: string[]): void {
    this.role.addToPolicy(new iam.PolicyStatement({ actions, resources }));
  }

  /** Key schema and attribute types of the table when it is defined in this app (L1 resolved); undefined when imported. */
  private tableDefinition(): { keys: { AttributeName: string; KeyType: string }[]; attributes: Record<string, string>; indexes: any[] } | undefined {
    const cfn = this.props.existingTable.node.defaultChild as dynamodb.CfnTable | dynamodb.CfnGlobalTable | undefined;
    if (!cfn || !(cfn instanceof dynamodb.CfnTable || cfn instanceof dynamodb.CfnGlobalTable)) return undefined;
    const stack = Stack.of(cfn);
    const attributes: Record<string, string> = {};
    for (const a of (stack.resolve(cfn.attributeDefinitions) ?? []) as any[]) attributes[a.attributeName] = a.attributeType;
    return {
      keys: ((stack.resolve(cfn.keySchema) ?? []) as any[]).map(k => ({ AttributeName: k.attributeName, KeyType: k.keyType })),
      attributes,
      indexes: (stack.resolve(cfn.globalSecondaryIndexes) ?? []) as any[],
    };
  }

  /**
   * The shipped resolvers read and write an item by `keyAttribute` alone: for a table defined in
   * this app, that must be its partition key, with no sort key (GetItem/UpdateItem need the full key).
   */
  private checkKey(v: Violations, method: string): void {
    const def = this.tableDefinition();
    if (!def) return;
    const hash = def.keys.find(k => k.KeyType === 'HASH')?.AttributeName;
    const range = def.keys.find(k => k.KeyType === 'RANGE')?.AttributeName;
    if (hash === undefined || Token.isUnresolved(hash)) return;
    v.check('REALTIME_TABLE_KEY', hash === this.keyAttribute && range === undefined, {
      prop: 'keyAttribute',
      value: `"${this.keyAttribute}" (the table is keyed by ${hash}${range ? ` + sort key ${range}` : ''}; needed by ${method})`,
      allowed: 'the table\'s partition key, on a table without a sort key (the item is read and written by that key alone)',
      fix: range ? 'give a table keyed by one partition key' : `set keyAttribute: '${hash}' on addTable("${this.node.id}", ...)`,
    });
  }

  private checkNotKey(v: Violations, prop: string, attribute: string): void {
    const def = this.tableDefinition();
    if (!def) return;
    const isKey = def.keys.some(k => k.AttributeName === attribute);
    v.check('REALTIME_TABLE_VERSION_IS_KEY', !isKey, {
      prop,
      value: `"${attribute}" (a key attribute of the table)`,
      allowed: 'a non-key Number attribute (key attributes cannot be updated)',
      fix: `name another attribute, e.g. "version", in ${prop}`,
    });
    const type = def.attributes[attribute];
    v.check('REALTIME_TABLE_VERSION_TYPE', type === undefined || type === 'N', {
      prop,
      value: `"${attribute}" (declared as type ${type} by an index of the table)`,
      allowed: 'a Number attribute (the update compares and increments it)',
      fix: `declare ${attribute} as AttributeType.NUMBER wherever an index uses it, or name another attribute`,
    });
  }

  private checkIndex(v: Violations, indexName: string, feedAttribute: string, updatedAt: string): void {
    const def = this.tableDefinition();
    if (!def) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:realtimeTableIndexUnchecked',
        `The table is imported, so the change-feed index "${indexName}" could not be checked: it must exist with partition key ${feedAttribute} (S) and sort key ${updatedAt} (S), projection ALL.`);
      return;
    }
    const index = def.indexes.find(i => i.indexName === indexName);
    const keys = (index?.keySchema ?? []) as { attributeName: string; keyType: string }[];
    const hash = keys.find(k => k.keyType === 'HASH')?.attributeName;
    const range = keys.find(k => k.keyType === 'RANGE')?.attributeName;
    v.check('REALTIME_TABLE_INDEX_MISSING', index !== undefined, {
      prop: 'changeFeed.indexName',
      value: `"${indexName}" (the table's global secondary indexes: ${def.indexes.map(i => `"${i.indexName}"`).join(', ') || 'none'})`,
      allowed: `a global secondary index of the table with partition key ${feedAttribute} and sort key ${updatedAt}`,
      fix: `table.addGlobalSecondaryIndex({ indexName: '${indexName}', partitionKey: { name: '${feedAttribute}', type: AttributeType.STRING }, sortKey: { name: '${updatedAt}', type: AttributeType.STRING } })`,
    });
    if (index === undefined) return;
    v.check('REALTIME_TABLE_INDEX_KEYS', hash === feedAttribute && range === updatedAt && def.attributes[updatedAt] === 'S', {
      prop: 'changeFeed.indexName',
      value: `"${indexName}" keyed by ${hash ?? 'nothing'} / ${range ?? 'no sort key'}${range ? ` (${def.attributes[range]})` : ''}`,
      allowed: `partition key ${feedAttribute} and sort key ${updatedAt} of type String (ISO-8601 timestamps sort as strings)`,
      fix: `key the index by ${feedAttribute} (partition) and ${updatedAt} (sort, STRING), or set changeFeed.feedAttribute / updatedAtAttribute to its keys`,
    });
    const projection = index.projection?.projectionType ?? 'ALL';
    v.check('REALTIME_TABLE_INDEX_PROJECTION', projection === 'ALL', {
      prop: 'changeFeed.indexName',
      value: `"${indexName}" with projection ${projection}`,
      allowed: 'projection ALL: the delta query returns whole items from the index',
      fix: 'create the index with projectionType: ProjectionType.ALL',
    });
  }
}
