/**
 * The browser build: size of the client bundle (`npm run build:browser`: src/browser.ts, minified ES module,
 * raw and gzipped; goal ≤ 60 KB gzipped) and the client handshake time inside headless Chromium on an
 * insecure origin (pure-JS crypto port; goal for sec2 ≤ 150 ms), measured as bench/security.bench.ts does on
 * Node: the device's replies precomputed, all of the client's own work redone per run (median of the runs).
 * Needs Debian's chromium (/usr/bin/chromium); without it only the sizes are printed.
 */
import { existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { browserBundleOptions, CLIENT_ENTRY } from "../scripts/build-browser.js";
import { CHROMIUM, modulePage, withChromiumPage } from "../test/helpers/chromium.js";
import type * as pageModule from "../test/browser/vector-page.js";
import type { BenchRow } from "./run.js";

export const name = "browser bundle and in-browser handshakes (Chromium, pure-JS crypto)";

type PageGlobal = { wifiprovPage: typeof pageModule };

async function bundle(entry: string): Promise<Uint8Array> {
  return (await build({ ...browserBundleOptions(entry), write: false })).outputFiles[0]!.contents;
}

export async function run(): Promise<BenchRow[]> {
  const client = await bundle(CLIENT_ENTRY);
  const rows: BenchRow[] = [
    { name: "client bundle (src/browser.ts), minified", value: client.length / 1024, unit: "KB" },
    {
      name: "client bundle, gzip -9",
      value: gzipSync(client, { level: 9 }).length / 1024,
      unit: "KB",
      note: "goal ≤ 60 KB",
    },
  ];
  if (!existsSync(CHROMIUM)) {
    console.log(`(${CHROMIUM} not found: in-browser handshakes skipped; apt-get install chromium)`);
    return rows;
  }
  const page = await bundle("test/browser/vector-page.ts");
  const figures = await withChromiumPage(
    {
      "/": modulePage("wifiprov handshake bench"),
      "/page.js": { type: "text/javascript", body: page },
    },
    async (tab) => {
      await tab.waitForFunction(() => "wifiprovPage" in globalThis);
      return tab.evaluate(() => {
        const api = (globalThis as unknown as PageGlobal).wifiprovPage;
        api.benchClientHandshake(2, 3); // warm-up: JIT, the SRP constants
        return { sec1: api.benchClientHandshake(1, 200), sec2: api.benchClientHandshake(2, 30) };
      });
    },
  );
  rows.push(
    { name: "sec1 client handshake in Chromium (median)", value: figures.sec1, unit: "ms" },
    {
      name: "sec2 client handshake in Chromium (median)",
      value: figures.sec2,
      unit: "ms",
      note: "goal ≤ 150 ms",
    },
  );
  return rows;
}
