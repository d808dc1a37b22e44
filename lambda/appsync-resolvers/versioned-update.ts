/**
 * Mutation resolver: a conflict-safe write (DynamoDB data source). The client sends the version
 * it read; the UpdateItem only succeeds if the item still has it (or, for version 0, does not
 * exist yet), sets the given fields, increments the version and stamps the change for the delta
 * query. A stale write fails with a `ConflictError` whose `data` is the server's current item, so
 * the client can merge and retry with the current version.
 */
// Provided by AppSync at run time (types: ./appsync-utils.d.ts); left external by the bundle.
// eslint-disable-next-line import/no-unresolved
import { Context, util } from '@aws-appsync/utils';
import { resolverConfig } from './config';

/** The error type a client matches on (`errors[].errorType`). */
const CONFLICT = 'ConflictError';

export function request(ctx: Context) {
  const config = resolverConfig();
  const args = ctx.args;
  const expected = args[config.expectedVersionArgument];
  if (typeof expected !== 'number' || expected < 0 || Math.floor(expected) !== expected) {
    util.error(
      `${config.expectedVersionArgument} must be a whole number >= 0 (0 creates the item), got ${JSON.stringify(expected)}`,
      'ValidationError',
    );
  }
  const key: Record<string, unknown> = {};
  key[config.keyAttribute] = args[config.keyArgument];

  const names: Record<string, string> = {
    '#version': config.versionAttribute,
    '#updatedAt': config.updatedAtAttribute,
    '#feed': config.feedAttribute,
  };
  const values: Record<string, unknown> = {
    ':next': expected + 1,
    ':now': util.time.nowISO8601(),
    ':feed': config.feedValue,
  };
  const sets = ['#version = :next', '#updatedAt = :now', '#feed = :feed'];
  const removes: string[] = [];
  config.updatableArguments.forEach((name, i) => {
    const value = args[name];
    if (value === undefined) {
      return; // not sent: left as it is
    }
    names[`#f${i}`] = name;
    if (value === null) {
      removes.push(`#f${i}`); // sent as null: the attribute is removed
    } else {
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    }
  });

  // Create (version 0): the item must not exist. Update: it must still be at the version read.
  // AppSync merges these names and values with the update's; DynamoDB refuses unused ones, so
  // each part carries only what it uses.
  const condition = expected === 0
    ? { expression: 'attribute_not_exists(#key)', expressionNames: { '#key': config.keyAttribute } }
    : { expression: '#version = :expected', expressionValues: util.dynamodb.toMapValues({ ':expected': expected }) };
  const expression = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues(key),
    update: { expression, expressionNames: names, expressionValues: util.dynamodb.toMapValues(values) },
    condition,
  };
}

export function response(ctx: Context) {
  const config = resolverConfig();
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      // Reject strategy: AppSync hands the item as it is in DynamoDB to the response as ctx.result.
      const current = ctx.result === undefined ? null : ctx.result;
      util.error(
        `Version conflict on ${config.keyAttribute} ${JSON.stringify(ctx.args[config.keyArgument])}: ` +
          `expected version ${ctx.args[config.expectedVersionArgument]}, the item is at ${current === null ? 'no version (it does not exist)' : `version ${current[config.versionAttribute]}`}. ` +
          'Merge with the item in errors[].data and retry with its version.',
        CONFLICT,
        current,
        {
          expectedVersion: ctx.args[config.expectedVersionArgument],
          currentVersion: current === null ? null : current[config.versionAttribute],
        },
      );
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
