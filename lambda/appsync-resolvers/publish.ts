/**
 * Mutation resolver for a None data source: publishes its arguments to the subscribers of the
 * mutation (`@aws_subscribe(mutations: [...])`) without touching any store. Backend events reach
 * clients this way (an EventBridge rule calls the mutation). `publishedAt` is set here unless the
 * caller sent it, so subscribers see when AppSync handled the event.
 */
// Provided by AppSync at run time (types: ./appsync-utils.d.ts); left external by the bundle.
// eslint-disable-next-line import/no-unresolved
import { Context, util } from '@aws-appsync/utils';

export function request(ctx: Context) {
  const payload: Record<string, unknown> = {};
  Object.keys(ctx.args).forEach((name) => {
    payload[name] = ctx.args[name];
  });
  if (payload.publishedAt === undefined || payload.publishedAt === null) {
    payload.publishedAt = util.time.nowISO8601();
  }
  return { payload };
}

export function response(ctx: Context) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
