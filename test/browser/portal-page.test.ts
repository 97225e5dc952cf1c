// The captive portal page in Debian's headless Chromium on an insecure origin (prov.test → 127.0.0.1, no
// crypto.subtle), served by a virtual device with the portal on: one end-to-end provisioning per security
// level (0, 1, 2 patch 1, 2 patch 0 on idf-v5.0), a wrong PoP, a wrong Wi-Fi password then a retry, a hidden
// network, the page at 320 px, a hostile SSID shown as text, and a second tab taking the session over.
// Fields are found by their labels, as a screen reader would. WIFIPROV_SCREENSHOTS=dir keeps screenshots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";
import { startVirtualDevice } from "../../src/device/index.js";
import type { RunningVirtualDevice, VirtualDeviceOptions } from "../../src/device/index.js";
import { silentLogger } from "../../src/logger.js";
import { defaultEnvironment } from "../../src/wifi/index.js";
import { portalAssets } from "../../scripts/build-portal.js";
import { CHROMIUM, CHROMIUM_ARGS, INSECURE_HOST } from "../helpers/chromium.js";
import { needsSystemPackage } from "../helpers/system.js";

const assets = await portalAssets();
const shots = process.env.WIFIPROV_SCREENSHOTS;

async function withPortal(
  options: VirtualDeviceOptions,
  use: (page: Page, device: RunningVirtualDevice, context: BrowserContext) => Promise<void>,
  viewport = { width: 420, height: 800 },
): Promise<void> {
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    timeScale: 0.05,
    logger: silentLogger,
    portal: assets,
    ...options,
  });
  const profile = await mkdtemp(join(tmpdir(), "wifiprov-portal-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(String(error)));
      await use(page, device, context);
      assert.deepEqual(errors, [], "no script errors in the page");
    } finally {
      await context.close();
    }
  } finally {
    await device.close();
    await rm(profile, { recursive: true, force: true });
  }
}

const url = (device: RunningVirtualDevice, hash = "") =>
  `http://${INSECURE_HOST}:${device.address.port}/${hash}`;

async function shot(page: Page, name: string): Promise<void> {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function pickAndJoin(page: Page, ssid: string, passphrase: string): Promise<void> {
  await page.getByRole("button", { name: new RegExp(`^${ssid},`) }).click();
  await page.getByLabel("Wi-Fi password").fill(passphrase);
  await page.getByRole("button", { name: "Join network" }).click();
}

const levels: Array<{ name: string; options: VirtualDeviceOptions; hash: string }> = [
  { name: "sec0", options: { security: { version: 0 } }, hash: "" },
  { name: "sec1", options: { security: { version: 1, pop: "abcd1234" } }, hash: "#pop=abcd1234" },
  {
    name: "sec2 patch 1",
    options: { security: { version: 2, username: "wifiprov", password: "abcd1234" } },
    hash: "#username=wifiprov&pop=abcd1234",
  },
  {
    name: "sec2 patch 0 (idf-v5.0)",
    options: { compat: "idf-v5.0", security: { version: 2, username: "wifiprov", password: "abcd1234" } },
    hash: "#username=wifiprov&pop=abcd1234",
  },
];

for (const level of levels) {
  test(
    `portal page, ${level.name}: provisions the device end to end`,
    needsSystemPackage("chromium", CHROMIUM),
    async () => {
      await withPortal(level.options, async (page, device) => {
        await page.goto(url(device, level.hash));
        const go = page.getByRole("button", { name: /Connect to the device|Continue/ });
        await go.waitFor();
        assert.equal(
          await page.evaluate(() => globalThis.crypto.subtle === undefined),
          true,
          "insecure origin",
        );
        assert.equal(new URL(page.url()).hash, "", "secrets are removed from the address bar");
        await go.click();
        await page.getByRole("button", { name: /^myssid,/ }).waitFor();
        await pickAndJoin(page, "myssid", "mypassword");
        await page.getByRole("heading", { name: "Connected" }).waitFor();
        assert.equal(await page.locator("#done-ssid").textContent(), "myssid");
        assert.match((await page.locator("#done-ip").textContent()) ?? "", /^\d+\.\d+\.\d+\.\d+$/);
        await device.waitFor("provisioned");
      });
    },
  );
}

const sec1: VirtualDeviceOptions = { security: { version: 1, pop: "abcd1234" } };

/** Sizes of the page and its script as this page's browser got them (Resource Timing). */
async function transfers(page: Page) {
  return page.evaluate(() =>
    [
      ...performance.getEntriesByType("navigation"),
      ...performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/portal/app.js")),
    ].map((e) => {
      const { transferSize, encodedBodySize, decodedBodySize } = e as PerformanceResourceTiming;
      return { transferSize, encodedBodySize, decodedBodySize };
    }),
  );
}

test(
  "portal page: its files arrive gzipped, the script once; the next visit revalidates it (304) instead of downloading it",
  needsSystemPackage("chromium", CHROMIUM),
  async () => {
    await withPortal(sec1, async (first, device, context) => {
      const requested: string[] = [];
      first.on("request", (request) => requested.push(new URL(request.url()).pathname));
      await first.goto(url(device));
      await first.getByRole("button", { name: "Connect to the device" }).waitFor();
      // The preload in index.html is the script's one download, not a second one beside it.
      assert.equal(requested.filter((path) => path === "/portal/app.js").length, 1, requested.join(" "));
      const [html, script] = await transfers(first);
      assert.ok(html && script, "both entries recorded");
      assert.ok(html.encodedBodySize < html.decodedBodySize / 2, `index.html: ${JSON.stringify(html)}`);
      assert.ok(script.encodedBodySize < script.decodedBodySize / 2, `app.js: ${JSON.stringify(script)}`);
      await first.close();
      // The phone opens the portal again (another device to set up, or the page reopened).
      const again = await context.newPage();
      await again.goto(url(device));
      await again.getByRole("button", { name: "Connect to the device" }).waitFor();
      const [, cached] = await transfers(again);
      assert.equal(cached?.decodedBodySize, script.decodedBodySize);
      // Revalidated, not fetched again: only a 304's headers crossed the network (0 would mean not even asked).
      assert.ok(
        cached.transferSize > 0 && cached.transferSize < 1000,
        `app.js again: ${JSON.stringify(cached)}`,
      );
    });
  },
);

test(
  "portal page: a wrong PoP is refused in words; the right one then works",
  needsSystemPackage("chromium", CHROMIUM),
  async () => {
    await withPortal(sec1, async (page, device) => {
      await page.goto(url(device));
      await page.getByLabel("Proof of possession (PoP)").fill("wrong-pop");
      await page.getByRole("button", { name: "Connect to the device" }).click();
      await page.getByRole("alert").filter({ hasText: "did not accept this proof of possession" }).waitFor();
      await shot(page, "wrong-pop");
      await page.getByLabel("Proof of possession (PoP)").fill("abcd1234");
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: /^myssid,/ }).waitFor();
    });
  },
);

test(
  "portal page: a wrong Wi-Fi password shows the reason; try again with the right one connects",
  needsSystemPackage("chromium", CHROMIUM),
  async () => {
    await withPortal({ ...sec1, connAttempts: 1 }, async (page, device) => {
      await page.goto(url(device, "#pop=abcd1234"));
      await page.getByRole("button", { name: "Connect to the device" }).click();
      await pickAndJoin(page, "myssid", "not-the-password");
      await page.getByText('The network "myssid" refused the password').waitFor();
      await shot(page, "wrong-password");
      await page.getByRole("button", { name: "Try again" }).click();
      await page.getByLabel("Wi-Fi password").fill("mypassword");
      await page.getByRole("button", { name: "Join network" }).click();
      await page.getByRole("heading", { name: "Connected" }).waitFor();
    });
  },
);

test(
  "portal page: a hidden network by name, keyboard only",
  needsSystemPackage("chromium", CHROMIUM),
  async () => {
    await withPortal(sec1, async (page, device) => {
      await page.goto(url(device, "#pop=abcd1234"));
      await page.getByRole("button", { name: "Connect to the device" }).waitFor();
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: /^myssid,/ }).waitFor();
      assert.equal(
        await page.getByRole("button", { name: /^HiddenLab,/ }).count(),
        0,
        "hidden SSIDs are not listed",
      );
      await page.getByRole("button", { name: "Other network…" }).focus();
      await page.keyboard.press("Enter");
      await page.keyboard.type("HiddenLab"); // the SSID field has the focus
      await page.keyboard.press("Tab");
      await page.keyboard.type("hidden-lab-pass");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Connected" }).waitFor();
      assert.equal(await page.locator("#done-ssid").textContent(), "HiddenLab");
    });
  },
);

/** 32 bytes, the most an SSID holds. */
const hostile = "<b>x</b><img src=x onerror=p()>";

test(
  "portal page at 320 px: no horizontal scroll; a hostile SSID is shown as text",
  needsSystemPackage("chromium", CHROMIUM),
  async () => {
    const environment = {
      ...defaultEnvironment,
      accessPoints: [
        ...defaultEnvironment.accessPoints,
        {
          ssid: hostile,
          bssid: new Uint8Array([2, 0, 0, 0, 0, 9]),
          channel: 3,
          rssi: -60,
          authMode: 3,
          passphrase: "whatever1",
        },
      ],
    } as VirtualDeviceOptions["environment"];
    await withPortal(
      { ...sec1, ...(environment ? { environment } : {}) },
      async (page, device) => {
        await page.goto(url(device, "#pop=abcd1234"));
        await shot(page, "320-login");
        await page.getByRole("button", { name: "Connect to the device" }).click();
        await page.getByRole("button", { name: /^myssid,/ }).waitFor();
        await shot(page, "320-networks");
        assert.equal(await page.locator(".net .name", { hasText: hostile }).count(), 1, "shown literally");
        assert.equal(await page.locator("#networks img").count(), 0, "never parsed as HTML");
        assert.equal(await page.evaluate(() => "pwned" in globalThis), false);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 320, `the page fits 320 px (scrollWidth ${width})`);
      },
      { width: 320, height: 640 },
    );
  },
);

test(
  "portal page: a second tab taking over the session is said so; the first tab can take it back",
  needsSystemPackage("chromium", CHROMIUM),
  async () => {
    await withPortal(sec1, async (page, device, context) => {
      await page.goto(url(device, "#pop=abcd1234"));
      await page.getByRole("button", { name: "Connect to the device" }).click();
      await page.getByRole("button", { name: /^myssid,/ }).waitFor();
      const second = await context.newPage();
      await second.goto(url(device, "#pop=abcd1234"));
      await second.getByRole("button", { name: "Connect to the device" }).click();
      await second.getByRole("button", { name: /^myssid,/ }).waitFor();
      await page.getByRole("alert").filter({ hasText: "taken over by another tab" }).waitFor();
      await second.close();
      await page.getByRole("button", { name: "Retry" }).click();
      await page.getByRole("button", { name: "Connect to the device" }).click();
      await pickAndJoin(page, "myssid", "mypassword");
      await page.getByRole("heading", { name: "Connected" }).waitFor();
    });
  },
);

test(
  "portal page: the device vanishing mid-flow is said so, with Retry",
  needsSystemPackage("chromium", CHROMIUM),
  async () => {
    await withPortal(sec1, async (page, device) => {
      await page.goto(url(device, "#pop=abcd1234"));
      await page.getByRole("button", { name: "Connect to the device" }).click();
      await page.getByRole("button", { name: /^myssid,/ }).waitFor();
      await device.close();
      await page.getByRole("button", { name: "Scan again" }).click();
      await page.getByRole("alert").filter({ hasText: "stopped answering" }).waitFor();
      await page.getByRole("button", { name: "Retry" }).waitFor();
    });
  },
);
