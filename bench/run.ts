/**
 * `npm run bench`: runs every bench/*.bench.ts module and prints its figures as a table.
 * A bench module exports `name` and `run(): Promise<BenchRow[]>`. Benchmarks only measure and print;
 * no test asserts timings.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

export interface BenchRow {
  /** What was measured, e.g. "sec1 device handshake". */
  name: string;
  /** The figure, e.g. 4321.5 */
  value: number;
  /** Its unit, e.g. "ops/s", "ms", "MiB". */
  unit: string;
  /** Optional goal or remark, e.g. "goal < 0.3 ms". */
  note?: string;
}

interface BenchModule {
  name: string;
  run(): Promise<BenchRow[]>;
}

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const format = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4));
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  console.log(`\n## ${mod.name}`);
  const rows = await mod.run();
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  for (const row of rows) {
    const figure = `${format(row.value)} ${row.unit}`;
    console.log(`${row.name.padEnd(width)}  ${figure.padStart(16)}${row.note ? `  (${row.note})` : ""}`);
  }
}
