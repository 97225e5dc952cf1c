/**
 * The captive portal page (`npm run build:portal`, also part of `npm run build`): portal/index.html and
 * portal/page.ts bundled with the browser client into one minified ES module, written to dist/portal/ where
 * a device with `--portal` reads them. Tests and the bench build the same bytes in memory (portalAssets).
 */
import { build } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { browserBundleOptions, root } from "./build-browser.js";

export const PORTAL_ENTRY = "portal/page.ts";
export const PORTAL_DIR = "dist/portal";

/** The page's files as a device serves them: path → type and bytes. */
export async function portalAssets(): Promise<Record<string, { type: string; body: Uint8Array }>> {
  const result = await build({ ...browserBundleOptions(PORTAL_ENTRY), write: false });
  const html = await readFile(join(root, "portal/index.html"));
  return {
    "/": { type: "text/html; charset=utf-8", body: new Uint8Array(html) },
    "/portal/app.js": { type: "text/javascript; charset=utf-8", body: result.outputFiles[0]!.contents },
  };
}

/** Total gzipped size of the page's files: what a phone downloads over the SoftAP. */
export function gzippedSize(assets: Record<string, { body: Uint8Array }>): number {
  return Object.values(assets).reduce((sum, a) => sum + gzipSync(a.body, { level: 9 }).length, 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const assets = await portalAssets();
  const dir = join(root, PORTAL_DIR);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "index.html"), assets["/"]!.body);
  await writeFile(join(dir, "app.js"), assets["/portal/app.js"]!.body);
  console.log(`built ${PORTAL_DIR} (${(gzippedSize(assets) / 1024).toFixed(1)} KB gzipped)`);
}
