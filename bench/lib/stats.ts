/** Summary of repeated measurements. */
export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every measured value, in run order. */
  readonly samples: number[];
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function stats(values: number[], digits = 1): Stats {
  const round = (n: number) => Number(n.toFixed(digits));
  return {
    median: round(median(values)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    samples: values.map(round),
  };
}

/** `a / b` as "1.23×". */
export function formatRatio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}
