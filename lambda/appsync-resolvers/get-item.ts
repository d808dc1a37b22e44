/**
 * Query resolver: one item by its key (DynamoDB data source), strongly consistent so a client
 * that just lost a conflict reads what won. A missing item resolves to null.
 */
// Provided by AppSync at run time (types: ./appsync-utils.d.ts); left external by the bundle.
// eslint-disable-next-line import/no-unresolved
import { Context, util } from '@aws-appsync/utils';
import { resolverConfig } from './config';

export function request(ctx: Context) {
  const config = resolverConfig();
  const key: Record<string, unknown> = {};
  key[config.keyAttribute] = ctx.args[config.keyArgument];
  return { operation: 'GetItem', key: util.dynamodb.toMapValues(key), consistentRead: true };
}

export function response(ctx: Context) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result === undefined ? null : ctx.result;
}
