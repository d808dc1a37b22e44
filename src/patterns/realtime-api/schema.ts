import * as fs from 'fs';
import * as path from 'path';
import type * as GraphQLJs from 'graphql';
import type * as GraphQLParts from './graphql-parts';

/**
 * The bundle of {@link GraphQLParts} (`bundle:graphql-check`, shipped in assets/ like the Lambda
 * bundles): one file instead of graphql-js's modules, a fifth of the CPU to load.
 */
const GRAPHQL_BUNDLE = path.join(__dirname, '..', '..', '..', 'assets', 'graphql-check', 'index.js');

/**
 * The parts of graphql-js the check uses, loaded on the first schema check rather than when the
 * library is imported: apps without a RealtimeApi never pay for them (`npx projen bench -- synth`).
 * From the bundle when it is there, else from graphql-js's modules (e.g. tests before `npx projen bundle`).
 */
let graphqlJs: typeof GraphQLParts | undefined;
function gql(): typeof GraphQLParts {
  if (!graphqlJs) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    graphqlJs = (fs.existsSync(GRAPHQL_BUNDLE) ? require(GRAPHQL_BUNDLE) : require('./graphql-parts')) as typeof GraphQLParts;
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  return graphqlJs;
}

/**
 * What AppSync adds to every schema: its scalars and directives. Declared here so the schema a
 * user writes for AppSync builds with graphql-js exactly as AppSync reads it.
 */
const APPSYNC_PRELUDE = `
scalar AWSDate scalar AWSTime scalar AWSDateTime scalar AWSTimestamp scalar AWSEmail
scalar AWSJSON scalar AWSURL scalar AWSPhone scalar AWSIPAddress
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String!]) on FIELD_DEFINITION
directive @deprecated(reason: String) on FIELD_DEFINITION | INPUT_FIELD_DEFINITION | ARGUMENT_DEFINITION | ENUM_VALUE
`;

/**
 * A GraphQL schema for a {@link RealtimeApi}, parsed and checked when it is created (at synth
 * time): a schema that does not parse or does not build (unknown types, duplicate fields) is an
 * error naming the line, not a failed deployment.
 */
export class RealtimeSchema {
  /** A schema written inline (SDL). */
  public static fromString(definition: string): RealtimeSchema {
    return new RealtimeSchema(definition, 'schema (inline)');
  }

  /** A schema read from a `.graphql` file at synth time. */
  public static fromFile(filePath: string): RealtimeSchema {
    let definition: string;
    try {
      definition = fs.readFileSync(filePath, 'utf8');
    } catch (err) {
      return new RealtimeSchema('', `schema file ${filePath}`, `cannot be read (${(err as Error).message})`);
    }
    return new RealtimeSchema(definition, `schema file ${filePath}`);
  }

  /** The schema as AppSync receives it. */
  public readonly definition: string;
  /** Where the schema came from, for messages. */
  public readonly source: string;
  private readonly problem?: string;
  private built?: GraphQLJs.GraphQLSchema;

  private constructor(definition: string, source: string, problem?: string) {
    this.definition = definition;
    this.source = source;
    this.problem = problem;
  }

  /**
   * Why the schema cannot be used, or undefined when it parses and builds.
   *
   * @internal
   */
  public _problem(): string | undefined {
    if (this.problem) return this.problem;
    try {
      gql().parse(this.definition);
    } catch (err) {
      return `does not parse: ${firstLine((err as Error).message).replace(/\.$/, '')}${location(err, 0)}`;
    }
    try {
      this._built();
    } catch (err) {
      return `does not build: ${firstLine((err as Error).message).replace(/\.$/, '')}${location(err, APPSYNC_PRELUDE.split('\n').length)}`;
    }
    return undefined;
  }

  /** @internal */
  public _built(): GraphQLJs.GraphQLSchema {
    if (!this.built) {
      const document = gql().parse(`${APPSYNC_PRELUDE}\n${this.definition}`);
      const errors: readonly GraphQLJs.GraphQLError[] = gql().validateSDL(document);
      if (errors.length > 0) throw errors[0];
      const built = gql().buildASTSchema(document, { assumeValidSDL: true });
      const schemaErrors = gql().validateSchema(built);
      if (schemaErrors.length > 0) throw schemaErrors[0];
      this.built = built;
    }
    return this.built;
  }

  /**
   * The arguments of `typeName.fieldName`, or undefined when the schema lacks that field.
   *
   * @internal
   */
  public _fieldArguments(typeName: string, fieldName: string): string[] | undefined {
    const type = this._built().getType(typeName);
    if (!type || !gql().isObjectType(type)) return undefined;
    const field = type.getFields()[fieldName];
    return field ? field.args.map(a => a.name) : undefined;
  }

  /**
   * The root type name for an operation ("Query", "Mutation", "Subscription" unless the schema renames them).
   *
   * @internal
   */
  public _rootTypeName(operation: string): string | undefined {
    const s = this._built();
    const root = operation === 'query' ? s.getQueryType() : operation === 'mutation' ? s.getMutationType() : s.getSubscriptionType();
    return root?.name;
  }

  /**
   * The arguments of a mutation that must be given (non-null without a default).
   *
   * @internal
   */
  public _requiredArguments(typeName: string, fieldName: string): string[] {
    const type = this._built().getType(typeName);
    if (!type || !gql().isObjectType(type)) return [];
    const field = type.getFields()[fieldName];
    return field ? field.args.filter(a => gql().isNonNullType(a.type) && a.defaultValue === undefined).map(a => a.name) : [];
  }

  /**
   * A GraphQL operation that calls `typeName.fieldName` with every argument as a variable and
   * selects every leaf field of its result (subscribers receive only what the mutation selects).
   *
   * @internal
   */
  public _operationFor(typeName: string, fieldName: string): string {
    const type = this._built().getType(typeName) as GraphQLJs.GraphQLObjectType;
    const field = type.getFields()[fieldName];
    const variables = field.args.map(a => `$${a.name}: ${a.type.toString()}`).join(', ');
    const args = field.args.map(a => `${a.name}: $${a.name}`).join(', ');
    const result = gql().getNamedType(field.type);
    const selection = gql().isObjectType(result)
      ? ` { ${Object.values(result.getFields()).filter(f => gql().isLeafType(gql().getNamedType(f.type))).map(f => f.name).join(' ')} }`
      : '';
    const operation = typeName === this._rootTypeName('mutation') ? 'mutation' : 'query';
    return `${operation} Publish${variables ? `(${variables})` : ''} { ${fieldName}${args ? `(${args})` : ''}${selection} }`;
  }

  /**
   * Each subscription field with the mutations its `@aws_subscribe` names.
   *
   * @internal
   */
  public _subscriptions(): { field: string; mutations: string[] }[] {
    const subscription: GraphQLJs.GraphQLObjectType | null | undefined = this._built().getSubscriptionType();
    if (!subscription) return [];
    return Object.values(subscription.getFields()).map(field => {
      const directive = field.astNode?.directives?.find(d => d.name.value === 'aws_subscribe');
      const arg = directive?.arguments?.find(a => a.name.value === 'mutations');
      const mutations = arg && arg.value.kind === gql().Kind.LIST
        ? arg.value.values.flatMap(v => (v.kind === gql().Kind.STRING ? [v.value] : []))
        : [];
      return { field: field.name, mutations };
    });
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

/** ` (line L, column C)` of the user's schema; `offset` lines were prepended (the prelude) when building. */
function location(err: unknown, offset: number): string {
  const loc = (err as { locations?: { line: number; column: number }[] }).locations?.[0];
  if (!loc || loc.line <= offset) return '';
  return ` (line ${loc.line - offset}, column ${loc.column})`;
}
