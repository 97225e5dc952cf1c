/**
 * The browser bundle of the client (`npm run build:browser`, also part of `npm run build`): src/browser.ts
 * with every dependency inlined, as one minified ES module at dist/browser/wifiprov.js. esbuild bundles for
 * `--platform=browser`, so a `node:*` import anywhere under the client fails the build, and the `browser`
 * condition of `#crypto` and `#default-logger` (package.json "imports") picks the pure-JS crypto port and the
 * console logger. The test and the bench bundle with the same options (browserBundleOptions).
 */
import { build } from "esbuild";
import type { BuildOptions } from "esbuild";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));

/** esbuild options for a browser bundle of `entry` (a path relative to the repository root). */
export function browserBundleOptions(entry: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    // From the TypeScript sources: `wifiprov-source` picks src/*.ts inside each `imports` condition.
    conditions: ["wifiprov-source"],
    logLevel: "silent",
  };
}

export const CLIENT_ENTRY = "src/browser.ts";
export const CLIENT_BUNDLE = "dist/browser/wifiprov.js";

if (import.meta.url === `file://${process.argv[1]}`) {
  await build({
    ...browserBundleOptions(CLIENT_ENTRY),
    outfile: CLIENT_BUNDLE,
    sourcemap: true,
    logLevel: "warning",
  });
  console.log(`built ${CLIENT_BUNDLE}`);
}
