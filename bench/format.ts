/** One row of `npm run bench` output, and how it is printed. */
export interface BenchRow {
  /** What was measured, e.g. "sec1 device handshake". */
  name: string;
  /** The figure, e.g. 4321.5. Absent when the row was skipped. */
  value?: number;
  /** Its unit, e.g. "ops/s", "ms", "MiB". */
  unit: string;
  /** Optional goal or remark, e.g. "goal < 0.3 ms"; for a skipped row, why and what to do. */
  note?: string;
  /** Not measured in this run (a tool is missing): printed as "skipped", never as a figure. */
  skipped?: boolean;
}

const format = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4));

export function formatRow(row: BenchRow, width: number): string {
  const figure = row.skipped || row.value === undefined ? "skipped" : `${format(row.value)} ${row.unit}`;
  return `${row.name.padEnd(width)}  ${figure.padStart(16)}${row.note ? `  (${row.note})` : ""}`;
}
