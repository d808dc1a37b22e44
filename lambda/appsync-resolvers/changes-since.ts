/**
 * Query resolver: the delta query an offline client runs when it reconnects (DynamoDB data
 * source). Every item changed at or after `since` (ISO-8601), oldest first, a page at a time,
 * read from the change-feed index (partition: the feed attribute; sort: updatedAt). The result
 * carries `nextToken` (more pages) and `nextSince`, the value to pass as `since` next time.
 *
 * Reconnect sequence: subscribe first, then page through changesSince(since: saved nextSince),
 * apply items whose version is newer than the one held, save the first page's nextSince.
 */
// Provided by AppSync at run time (types: ./appsync-utils.d.ts); left external by the bundle.
// eslint-disable-next-line import/no-unresolved
import { Context, util } from '@aws-appsync/utils';
import { resolverConfig } from './config';

export function request(ctx: Context) {
  const config = resolverConfig();
  const since = ctx.args.since;
  if (typeof since !== 'string' || since.length === 0) {
    util.error('since must be an ISO-8601 timestamp (the nextSince of the previous catch-up)', 'ValidationError');
  }
  const asked = ctx.args.limit;
  if (asked !== undefined && asked !== null && (typeof asked !== 'number' || asked < 1)) {
    util.error(`limit must be at least 1, got ${JSON.stringify(asked)}`, 'ValidationError');
  }
  const limit = asked === undefined || asked === null ? config.maxPageSize : Math.min(asked, config.maxPageSize);
  // Taken before the read: whatever is written from here on has a later stamp.
  ctx.stash.nextSince = util.time.epochMilliSecondsToISO8601(util.time.nowEpochMilliSeconds() - config.overlapSeconds * 1000);
  const query: Record<string, unknown> = {
    operation: 'Query',
    index: config.deltaIndexName,
    query: {
      expression: '#feed = :feed AND #updatedAt >= :since',
      expressionNames: { '#feed': config.feedAttribute, '#updatedAt': config.updatedAtAttribute },
      expressionValues: util.dynamodb.toMapValues({ ':feed': config.feedValue, ':since': since }),
    },
    limit,
    scanIndexForward: true,
  };
  if (ctx.args.nextToken) {
    query.nextToken = ctx.args.nextToken;
  }
  return query;
}

export function response(ctx: Context) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return {
    items: ctx.result.items,
    nextToken: ctx.result.nextToken ? ctx.result.nextToken : null,
    nextSince: ctx.stash.nextSince,
  };
}
