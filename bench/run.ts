/**
 * `npm run bench`: runs every bench/*.bench.ts module and prints its figures as a table.
 * A bench module exports `name` and `run(): Promise<BenchRow[]>`. Benchmarks only measure and print;
 * no test asserts timings.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { cpus, loadavg } from "node:os";
import { formatRow } from "./format.js";
import type { BenchRow } from "./format.js";

export type { BenchRow } from "./format.js";

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

for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  console.log(`\n## ${mod.name}`);
  const rows = await mod.run();
  // Figures from a shared machine mean little without its load: printed with each module's rows.
  console.log(
    `(load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} on ${cpus().length} CPUs)`,
  );
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  for (const row of rows) console.log(formatRow(row, width));
}
