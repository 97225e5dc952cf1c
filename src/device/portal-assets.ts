/**
 * Loads the built portal page (`npm run build` writes dist/portal/: index.html and the bundled script) for a
 * device that serves it. Read once at start: a SoftAP client gets the same bytes for the whole session.
 */
import { readFile, readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";
import { PORTAL_PREFIX } from "./portal.js";
import type { PortalAsset, PortalAssets } from "./portal.js";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** dist/portal next to dist/device (installed package), or the repository's dist/portal (running from src). */
const CANDIDATES = [new URL("../portal/", import.meta.url), new URL("../../dist/portal/", import.meta.url)];

export async function loadPortalAssets(dir?: string): Promise<PortalAssets> {
  const dirs = dir !== undefined ? [dir] : CANDIDATES.map((url) => fileURLToPath(url));
  for (const candidate of dirs) {
    let names: string[];
    try {
      names = await readdir(candidate);
    } catch {
      continue;
    }
    if (!names.includes("index.html")) continue;
    const assets: Record<string, PortalAsset> = {};
    for (const name of names) {
      const type = TYPES[name.slice(name.lastIndexOf(".") + 1)];
      if (type === undefined) continue;
      const body = new Uint8Array(await readFile(`${candidate}/${name}`));
      assets[name === "index.html" ? "/" : `${PORTAL_PREFIX}${name}`] = { type, body };
    }
    return assets;
  }
  throw new UsageError("the captive portal page is not built", {
    hint: "run `npm run build` (it writes dist/portal/), or start the device without --portal",
  });
}

/** The `portal` option of a device: true = the built page, false/undefined = none, or assets given directly. */
export async function portalAssetsFor(
  option: boolean | PortalAssets | undefined,
): Promise<PortalAssets | undefined> {
  if (option === true) return loadPortalAssets();
  return option === false || option === undefined ? undefined : option;
}
