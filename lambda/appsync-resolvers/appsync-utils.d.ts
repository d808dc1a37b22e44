/**
 * The part of `@aws-appsync/utils` the shipped resolvers use, typed here because the npm package
 * is types only and AppSync provides the implementation at run time (APPSYNC_JS 1.0.0). The
 * semantics the unit tests run these resolvers against are implemented, from AWS's APPSYNC_JS
 * reference, in test/lambda/appsync-resolvers/appsync-js-runtime.ts.
 */
declare module '@aws-appsync/utils' {
  export interface AppSyncError {
    readonly message: string;
    readonly type: string;
  }
  export interface Context<TArgs = Record<string, any>> {
    readonly arguments: TArgs;
    readonly args: TArgs;
    readonly identity: unknown;
    readonly source: unknown;
    readonly stash: Record<string, any>;
    readonly prev: { result: any };
    readonly request: { headers: Record<string, string> };
    readonly info: { fieldName: string; parentTypeName: string; variables: Record<string, any> };
    readonly error?: AppSyncError;
    readonly result: any;
  }
  export const util: {
    error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never;
    appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void;
    autoId(): string;
    isNull(value: unknown): boolean;
    time: { nowISO8601(): string; nowEpochMilliSeconds(): number; epochMilliSecondsToISO8601(epochMillis: number): string };
    dynamodb: {
      toMapValues(value: Record<string, unknown>): Record<string, unknown>;
      toDynamoDB(value: unknown): unknown;
    };
  };
  export const runtime: { earlyReturn(data?: unknown): never };
  export const extensions: { setSubscriptionFilter(filter: unknown): void };
}
