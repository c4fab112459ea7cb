/** Percentile of a sample (nearest rank), in the sample's unit. */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
};

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export const printTable = (title: string, rows: Record<string, number | string>) => {
  process.stdout.write(`\n${title}\n`);
  const width = Math.max(...Object.keys(rows).map((key) => key.length));
  for (const [key, value] of Object.entries(rows)) process.stdout.write(`  ${key.padEnd(width)}  ${value}\n`);
};
