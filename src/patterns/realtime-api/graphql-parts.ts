/**
 * The parts of graphql-js {@link RealtimeSchema}'s synth-time check uses, by module (parser, type
 * definitions, schema building and validation), not graphql-js's package root, which also loads
 * execution, subscriptions and the remaining utilities.
 *
 * The bundle task (`bundle:graphql-check`) also bundles this file with esbuild from graphql-js's
 * ES modules into `assets/graphql-check/index.js`: one file with only what these exports reach,
 * which the check loads instead when it is there (≈ 11 ms instead of ≈ 50 ms of CPU to load;
 * `npx projen bench -- synth`). Internal to the library.
 */
export { parse } from 'graphql/language/parser';
export { Kind } from 'graphql/language/kinds';
export { getNamedType, isLeafType, isNonNullType, isObjectType } from 'graphql/type/definition';
export { validateSchema } from 'graphql/type/validate';
export { buildASTSchema } from 'graphql/utilities/buildASTSchema';
export { validateSDL } from 'graphql/validation/validate';
