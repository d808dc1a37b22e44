/**
 * Settings a shipped resolver reads. The RealtimeApi construct puts one line in front of the
 * shipped file when it creates the resolver (`const __RESOLVER_CONFIG__ = {...};`), so one shipped
 * file serves every table, key and index name without per-request lookups. AppSync runs each
 * resolver's code as its own module, so the constant is private to that resolver.
 */
export interface ResolverConfig {
  /** Partition key attribute of the table (the GraphQL argument of the same name carries it). */
  readonly keyAttribute: string;
  /** GraphQL argument that carries the key value. */
  readonly keyArgument: string;
  /** Number attribute incremented on every write (optimistic concurrency). */
  readonly versionAttribute: string;
  /** GraphQL argument carrying the version the client read. */
  readonly expectedVersionArgument: string;
  /** ISO-8601 timestamp attribute set on every write: the delta index's sort key. */
  readonly updatedAtAttribute: string;
  /** Attribute that puts every item into the change feed (the delta index's partition key). */
  readonly feedAttribute: string;
  /** Value of `feedAttribute` written on every item. */
  readonly feedValue: string;
  /** Name of the global secondary index (feedAttribute, updatedAtAttribute). */
  readonly deltaIndexName: string;
  /** GraphQL arguments copied into the item by the versioned update (besides key and version). */
  readonly updatableArguments: string[];
  /** Largest page the delta query returns, whatever `limit` a client asks for. */
  readonly maxPageSize: number;
  /**
   * Seconds the delta query's `nextSince` lies before the server's clock. A write is stamped
   * when AppSync handles it and reaches the index a moment later, so a cursor of "now" could
   * skip it; the overlap re-delivers the last seconds instead, and clients drop what they
   * already hold by (key, version).
   */
  readonly overlapSeconds: number;
}

declare const __RESOLVER_CONFIG__: ResolverConfig;

/** The configuration line the construct prepended (see above). */
export function resolverConfig(): ResolverConfig {
  return __RESOLVER_CONFIG__;
}
