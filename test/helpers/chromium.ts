/**
 * A page in Debian's headless Chromium (driven by playwright-core) on an INSECURE origin, as a page served
 * by a device over plain HTTP is: `prov.test` is mapped to 127.0.0.1 by --host-resolver-rules, and a
 * host name other than localhost over http:// is not a secure context, so `crypto.subtle` is undefined there.
 * The files are served by a tiny node:http server on 127.0.0.1 (ephemeral port); nothing leaves loopback.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const INSECURE_HOST = "prov.test";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
];

export interface ServedFile {
  type: string;
  body: string | Uint8Array;
}

/** Serves `files` (path → content), opens `http://prov.test:<port>/` in a fresh profile, runs `use`. */
export async function withChromiumPage<T>(
  files: Record<string, ServedFile>,
  use: (page: Page) => Promise<T>,
): Promise<T> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const profile = await mkdtemp(join(tmpdir(), "wifiprov-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(String(error)));
      await page.goto(`http://${INSECURE_HOST}:${port}/`, { waitUntil: "load" });
      const result = await use(page);
      if (errors.length > 0) throw new Error(`errors in the page: ${errors.join("; ")}`);
      return result;
    } finally {
      await context.close();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(profile, { recursive: true, force: true });
  }
}

/** A page that loads one ES module bundle and shows its output in <pre id="out">. */
export function modulePage(title: string, script = "/page.js"): ServedFile {
  return {
    type: "text/html; charset=utf-8",
    body:
      `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
      `<body style="font:14px monospace"><h1>${title}</h1><pre id="out">loading…</pre>` +
      `<script type="module" src="${script}"></script></body></html>`,
  };
}
