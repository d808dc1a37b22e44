import { Duration, Token, Tokenization } from 'aws-cdk-lib';
import { BacklogScalingOptions } from './props';
import { durationAmount } from '../../core/validation';

/**
 * The target backlog per worker as BacklogScaling uses it: known at synth, or derived from
 * tokens (a CfnParameter `acceptableLatency`, `averageProcessingTime` or `workerConcurrency`),
 * which CloudFormation cannot divide: then the controller computes it at run time (ECS) and the
 * EC2 policies and alarms carry it as metric math.
 */
export interface ScalingTarget {
  /**
   * The target when it is known at synth: given (a number or a token, which CloudFormation
   * renders as a reference), or computed from numbers and rounded to 2 decimals. Undefined when
   * derived from tokens.
   */
  readonly value?: number;
  /**
   * The target as CloudWatch metric math text: the number, or `(workerConcurrency x latency ms)
   * / (processing ms)` with each token written as its reference (CloudFormation renders the text
   * with Fn::Join), a token duration as its amount times the milliseconds of its unit.
   */
  readonly expression: string;
  /** The inputs when the target is derived from tokens (the controller computes it from them). */
  readonly derivedFrom?: { readonly acceptableLatency: Duration; readonly averageProcessingTime: Duration };
}

/** The target of valid options (the rules have run): given, computed from numbers, or derived from tokens. */
export function scalingTarget(props: BacklogScalingOptions): ScalingTarget {
  if (props.targetBacklogPerWorker !== undefined) {
    return { value: props.targetBacklogPerWorker, expression: Tokenization.stringifyNumber(props.targetBacklogPerWorker) };
  }
  const concurrency = props.workerConcurrency ?? 1;
  const latency = props.acceptableLatency!;
  const processing = props.averageProcessingTime!;
  if (!Token.isUnresolved(concurrency) && !latency.isUnresolved() && !processing.isUnresolved()) {
    const value = Math.round((concurrency * latency.toMilliseconds() / processing.toMilliseconds()) * 100) / 100;
    return { value, expression: String(value) };
  }
  const times = Token.isUnresolved(concurrency) || concurrency !== 1 ? `${Tokenization.stringifyNumber(concurrency)} * ` : '';
  return {
    expression: `(${times}${millisExpression(latency)}) / (${millisExpression(processing)})`,
    derivedFrom: { acceptableLatency: latency, averageProcessingTime: processing },
  };
}

/** Whether the target is a token (given or derived): the EC2 policies then scale on backlog per worker / target. */
export function isTokenTarget(target: ScalingTarget): boolean {
  return target.value === undefined || Token.isUnresolved(target.value);
}

/** A duration's milliseconds as metric math text: a number, or `<amount> * <ms per unit>` for a token. */
function millisExpression(d: Duration): string {
  if (!d.isUnresolved()) return String(d.toMilliseconds({ integral: false }));
  const { amount, msPerUnit } = durationAmount(d);
  const text = Tokenization.stringifyNumber(amount);
  return msPerUnit === 1 ? text : `${text} * ${msPerUnit}`;
}
