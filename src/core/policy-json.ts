import * as iam from 'aws-cdk-lib/aws-iam';

/** A policy statement as JSON, for messages that tell the owner of an imported resource what to add. */
export function statementJson(statement: iam.PolicyStatement): string {
  return JSON.stringify(statement.toStatementJson());
}
