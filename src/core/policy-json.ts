import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * A policy statement as JSON the owner of a resource this stack does not own can paste into
 * that resource's policy (used in warnings that say what they must add).
 *
 * Values known at synth time are written as they are. Values only known once the stack is
 * deployed (the account of an environment-agnostic stack, the ARN of a topic this stack
 * creates) cannot be printed; they are written as CloudFormation `Fn::Sub` placeholders —
 * `${AWS::AccountId}`, `${OrdersTopic1234ABCD}` (its Ref), `${OrdersKey1234ABCD.Arn}` — and a
 * note after the JSON names the stack whose deployed values they stand for. Never a
 * `${Token[...]}`, which means nothing outside this process.
 *
 * Internal to the library.
 */
export function statementJson(scope: IConstruct, statement: iam.PolicyStatement): string {
  const stack = Stack.of(scope);
  const json = JSON.stringify(readable(stack.resolve(statement.toStatementJson())));
  return json.includes('${') ? `${json}${placeholderNote(stack)}` : json;
}

/**
 * A string for a message: itself when it is known at synth time, else the same placeholders
 * as {@link statementJson} (`${OrdersTopic1234ABCD}`, `arn:${AWS::Partition}:s3:::${Bucket83908E77}`).
 *
 * Internal to the library.
 */
export function readableValue(scope: IConstruct, value: string): string {
  if (!Token.isUnresolved(value)) return value;
  return render(Stack.of(scope).resolve(value));
}

function placeholderNote(stack: Stack): string {
  return ` (\${...} are values of stack ${stack.stackName} once deployed, written as in Fn::Sub: \${AWS::AccountId} its account, ` +
    '${LogicalId} the Ref and ${LogicalId.Attribute} an attribute of that resource; substitute them before pasting)';
}

/** Walks resolved JSON, turning each CloudFormation intrinsic into a placeholder string. */
function readable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(readable);
  if (node !== null && typeof node === 'object') {
    if (isIntrinsic(node)) return render(node);
    return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, readable(v)]));
  }
  return node;
}

function isIntrinsic(node: object): boolean {
  const keys = Object.keys(node);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function render(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  const n = (node ?? {}) as Record<string, unknown>;
  if (typeof n.Ref === 'string') return `\${${n.Ref}}`;
  const getAtt = n['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2) return `\${${render(getAtt[0])}.${render(getAtt[1])}}`;
  const join = n['Fn::Join'];
  if (Array.isArray(join) && join.length === 2 && Array.isArray(join[1])) {
    return (join[1] as unknown[]).map(render).join(String(join[0]));
  }
  // Anything else (Fn::Select, Fn::ImportValue, ...): the intrinsic itself, still readable.
  return `\${${JSON.stringify(node)}}`;
}
