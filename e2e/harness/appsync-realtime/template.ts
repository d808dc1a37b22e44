/**
 * What the real-time proof takes from the synthesized template, so it runs the deployed
 * configuration: the schema, the APPSYNC_JS code of the resolvers on NONE data sources, and each
 * EventBridge rule's pattern, input transformer and GraphQL operation.
 */
export interface RuleTarget {
  readonly logicalId: string;
  readonly source: string[];
  readonly detailType: string[];
  readonly graphqlOperation: string;
  readonly inputPathsMap: Record<string, string>;
  readonly inputTemplate: string;
}

export interface RealtimeDeployment {
  readonly schema: string;
  readonly noneResolvers: { typeName: string; fieldName: string; code: string }[];
  readonly rules: RuleTarget[];
}

export function readDeployment(template: { Resources: Record<string, any> }): RealtimeDeployment {
  const resources = Object.entries(template.Resources);
  const schemas = resources.filter(([, r]) => r.Type === 'AWS::AppSync::GraphQLSchema');
  if (schemas.length !== 1) throw new Error(`expected one AWS::AppSync::GraphQLSchema, found ${schemas.length}`);
  const noneSources = new Set(resources.filter(([, r]) => r.Type === 'AWS::AppSync::DataSource' && r.Properties.Type === 'NONE').map(([, r]) => r.Properties.Name));
  const noneResolvers = resources
    .filter(([, r]) => r.Type === 'AWS::AppSync::Resolver' && noneSources.has(r.Properties.DataSourceName?.['Fn::GetAtt'] ? nameOf(template, r.Properties.DataSourceName) : r.Properties.DataSourceName))
    .map(([, r]) => ({ typeName: r.Properties.TypeName, fieldName: r.Properties.FieldName, code: r.Properties.Code }));
  const rules = resources.filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties.Targets?.[0]?.AppSyncParameters).map(([id, r]) => {
    const target = r.Properties.Targets[0];
    return {
      logicalId: id,
      source: r.Properties.EventPattern.source,
      detailType: r.Properties.EventPattern['detail-type'],
      graphqlOperation: target.AppSyncParameters.GraphQLOperation,
      inputPathsMap: target.InputTransformer.InputPathsMap,
      inputTemplate: target.InputTransformer.InputTemplate,
    };
  });
  return { schema: schemas[0][1].Properties.Definition, noneResolvers, rules };
}

function nameOf(template: { Resources: Record<string, any> }, getAtt: { 'Fn::GetAtt': [string, string] }): string {
  return template.Resources[getAtt['Fn::GetAtt'][0]].Properties.Name;
}

/** The rule whose pattern matches (exact source and detail-type, as these rules are written). */
export function matchingRule(rules: RuleTarget[], event: { 'source': string; 'detail-type': string }): RuleTarget | undefined {
  return rules.find(r => r.source.includes(event.source) && r.detailType.includes(event['detail-type']));
}

/**
 * EventBridge's input transformer for JSON templates ("Transforming target input"): each
 * `<name>` is replaced by the JSON value at its path (strings keep their quotes); a path that is
 * missing becomes null here (AWS) — MiniStack writes "" instead.
 */
export function transformInput(target: RuleTarget, event: Record<string, unknown>): Record<string, unknown> {
  let text = target.inputTemplate;
  for (const [name, jsonPath] of Object.entries(target.inputPathsMap)) {
    const value = jsonPath.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), event);
    text = text.split(`<${name}>`).join(value === undefined ? 'null' : JSON.stringify(value));
  }
  return JSON.parse(text);
}
