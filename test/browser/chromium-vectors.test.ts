// The security vectors (sec0, sec1 with and without PoP, sec2 patch 1 and patch 0 with its 16-byte nonce,
// sec2 short-B/short-S edge cases; device and client roles) replayed inside Debian's headless Chromium on an
// insecure origin, where crypto.subtle does not exist, through an esbuild browser bundle: the pure-JS crypto
// port must produce every handshake message and ciphertext byte for byte. The client bundle (what
// `npm run build:browser` writes to dist/browser/wifiprov.js) is loaded in the same page. Set
// WIFIPROV_SCREENSHOT=path.png to keep a screenshot of the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { browserBundleOptions, CLIENT_ENTRY } from "../../scripts/build-browser.js";
import { needsSystemPackage } from "../helpers/system.js";
import { CHROMIUM, modulePage, withChromiumPage } from "../helpers/chromium.js";
import { loadVector } from "../helpers/vectors.js";
import type * as pageModule from "./vector-page.js";
import type { Replay, ReplayCase, ReplayVector } from "./vector-page.js";

type PageApi = typeof pageModule;
type PageGlobal = { wifiprovPage: PageApi };

async function bundle(entry: string): Promise<string> {
  const result = await build({ ...browserBundleOptions(entry), write: false });
  return result.outputFiles[0]!.text;
}

const edge = loadVector<Record<string, ReplayVector>>("sec2_edge_cases.json");
const cases: ReplayCase[] = [
  { name: "sec0", version: 0, vector: loadVector<ReplayVector>("sec0.json") },
  { name: "sec1", version: 1, vector: loadVector<ReplayVector>("sec1.json") },
  { name: "sec1 no PoP", version: 1, vector: loadVector<ReplayVector>("sec1_no_pop.json") },
  { name: "sec2 patch 1", version: 2, vector: loadVector<ReplayVector>("sec2.json") },
  { name: "sec2 patch 0 (16-byte nonce)", version: 2, vector: loadVector<ReplayVector>("sec2_patch0.json") },
  { name: "sec2 short B", version: 2, vector: edge.sec2_short_B! },
  { name: "sec2 short S", version: 2, vector: edge.sec2_short_S! },
];

/** What each role must produce, straight from the vector files. */
function expected(v: ReplayVector): Replay {
  const device = v.session.filter((_, i) => i % 2 === 1).map((s) => s.hex);
  const client: (string | null)[] = [...v.session.filter((_, i) => i % 2 === 0).map((s) => s.hex), null];
  for (const e of v.exchanges) {
    device.push(e.request_plain, e.response_encrypted);
    client.push(e.request_encrypted, e.response_plain);
  }
  return { device, client };
}

test(
  "Chromium on an insecure origin: no crypto.subtle; every security vector byte for byte, both roles",
  needsSystemPackage("chromium", CHROMIUM),
  async () => {
    assert.equal(cases[4]!.vector.device_nonce!.length, 32, "the patch-0 vector carries a 16-byte nonce");
    const [page, client] = await Promise.all([bundle("test/browser/vector-page.ts"), bundle(CLIENT_ENTRY)]);
    await withChromiumPage(
      {
        "/": modulePage("wifiprov security vectors in Chromium"),
        "/page.js": { type: "text/javascript", body: page },
        "/wifiprov.js": { type: "text/javascript", body: client },
      },
      async (tab) => {
        await tab.waitForFunction(() => "wifiprovPage" in globalThis);
        const env = await tab.evaluate(() =>
          (globalThis as unknown as PageGlobal).wifiprovPage.environment(),
        );
        assert.ok(env.origin.startsWith("http://prov.test:"), env.origin);
        assert.equal(env.isSecureContext, false);
        assert.equal(env.subtle, "undefined", "crypto.subtle must be absent on an insecure origin");
        assert.equal(env.port, "pure-js");

        const lines = [
          `origin ${env.origin}, secure context: ${env.isSecureContext}, crypto.subtle: ${env.subtle}`,
          `crypto port: ${env.port}`,
          "",
        ];
        for (const c of cases) {
          const got = await tab.evaluate(
            (arg) => (globalThis as unknown as PageGlobal).wifiprovPage.replay(arg),
            c,
          );
          assert.deepEqual(got, expected(c.vector), c.name);
          lines.push(
            `${c.name.padEnd(30)} device: ${got.device.length} messages ✓  client: ${got.client.length} ✓`,
          );
        }

        // The client bundle loads on this origin and offers the library's entry points.
        const exported = await tab.evaluate(async () => Object.keys(await import("/wifiprov.js" as string)));
        for (const name of ["connect", "provision", "FetchClientTransport"]) {
          assert.ok(exported.includes(name), `client bundle exports ${name}: ${exported.join(", ")}`);
        }
        lines.push("", `client bundle loaded: ${exported.length} exports (connect, provision, …)`);
        await tab.evaluate((text) => (globalThis as unknown as PageGlobal).wifiprovPage.show(text), lines);
        if (process.env.WIFIPROV_SCREENSHOT) await tab.screenshot({ path: process.env.WIFIPROV_SCREENSHOT });
      },
    );
  },
);
