/**
 * `npm run screenshots`: the captive portal page at phone width, every step of the flow, in light and dark,
 * written to docs/screenshots/<step>-<light|dark>.png for the README. Virtual devices on 127.0.0.1 (ephemeral
 * ports) serve the page as `npm run build:portal` builds it; Debian's headless Chromium opens it on an
 * insecure origin (prov.test → 127.0.0.1), as a phone opens http://192.168.4.1/.
 *
 * Deterministic, so refreshing does not churn the images: a fixed MAC (the SoftAP and the title are always
 * PROV_261FCC), the built-in scan list (src/wifi/default-environment.ts), fixed inputs, no caret, no
 * animations, and each shot is taken once the text it shows has been reached.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { Page } from "playwright-core";
import { startVirtualDevice } from "../src/device/index.js";
import type { RunningVirtualDevice, VirtualDeviceOptions } from "../src/device/index.js";
import { MemoryStateStore } from "../src/device/memory-store.js";
import { silentLogger } from "../src/logger.js";
import { CHROMIUM, CHROMIUM_ARGS, INSECURE_HOST } from "../test/helpers/chromium.js";
import { portalAssets } from "./build-portal.js";
import { root } from "./build-browser.js";
import { decodePng, encodePalettePng } from "./png.js";

export const SCREENSHOT_DIR = "docs/screenshots";
/** A phone's CSS width (most Android phones are 360–412 px; 320 px is tested in test/browser). */
const VIEWPORT = { width: 360, height: 640 };
/** The MAC of the README's QR example: the device calls itself PROV_261FCC. */
const MAC = new Uint8Array([0x24, 0x0a, 0xc4, 0x26, 0x1f, 0xcc]);
const SRP = { username: "wifiprov", password: "abcd1234" };

type Scheme = "light" | "dark";

async function device(options: VirtualDeviceOptions): Promise<RunningVirtualDevice> {
  return startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    logger: silentLogger,
    portal: await portalAssets(),
    store: new MemoryStateStore({ mac: MAC }),
    ...options,
  });
}

const pageUrl = (d: RunningVirtualDevice, hash = "") => `http://${INSECURE_HOST}:${d.address.port}/${hash}`;

async function flow(page: Page, shot: (name: string) => Promise<void>): Promise<void> {
  // Security 1: the PoP prompt, and what a wrong PoP says.
  const sec1 = await device({ security: { version: 1, pop: "abcd1234" } });
  try {
    await page.goto(pageUrl(sec1));
    await page.getByLabel("Proof of possession (PoP)").fill("abcd123");
    await page.getByRole("button", { name: "Connect to the device" }).click();
    await page.getByRole("alert").filter({ hasText: "did not accept" }).waitFor();
    await shot("1-pop-wrong");
  } finally {
    await sec1.close();
  }

  // Security 2 (SRP), credentials from a QR link; the device tries 3 times before it gives up. Real time, so
  // the Connecting step lasts long enough (one wrong-key attempt ≈ 4 s) to be photographed.
  const sec2 = await device({ security: { version: 2, ...SRP }, connAttempts: 3 });
  try {
    await page.goto(pageUrl(sec2, `#username=${SRP.username}&pop=${SRP.password}`));
    const go = page.getByRole("button", { name: "Connect to the device" });
    await go.waitFor();
    await shot("2-srp");
    await go.click();
    await page.getByText("networks found").waitFor();
    await shot("3-networks");

    await page.getByRole("button", { name: "Other network…" }).click();
    await page.getByLabel("Network name (SSID)").fill("HiddenLab");
    await page.getByLabel("Wi-Fi password").fill("hidden-lab-pass");
    await page.getByRole("button", { name: "Back" }).focus();
    await shot("4-other-network");
    await page.getByRole("button", { name: "Back" }).click();

    await page.getByRole("button", { name: /^myssid,/ }).click();
    await page.getByLabel("Wi-Fi password").fill("mypasword");
    await page.getByLabel("Show password").check();
    await shot("5-password");
    await page.getByRole("button", { name: "Join network" }).click();
    await page.getByText("(attempts remaining: 2)").waitFor();
    await shot("6-connecting");
    await page.getByText("refused the password").waitFor({ timeout: 60_000 });
    await shot("7-failed");

    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByLabel("Wi-Fi password").fill("mypassword");
    await page.getByRole("button", { name: "Join network" }).click();
    await page.getByRole("heading", { name: "Connected" }).waitFor({ timeout: 60_000 });
    await shot("8-connected");
  } finally {
    await sec2.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} not found: install Debian's chromium (sudo apt-get install -y chromium)`);
    process.exit(1);
  }
  const dir = join(root, SCREENSHOT_DIR);
  await mkdir(dir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    for (const scheme of ["light", "dark"] as Scheme[]) {
      const context = await browser.newContext({
        viewport: VIEWPORT,
        deviceScaleFactor: 1,
        colorScheme: scheme,
        reducedMotion: "reduce",
      });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(String(error)));
        await flow(page, async (name) => {
          const png = await page.screenshot({ fullPage: true, animations: "disabled", caret: "hide" });
          await writeFile(join(dir, `${name}-${scheme}.png`), encodePalettePng(decodePng(png)));
          console.log(`wrote ${SCREENSHOT_DIR}/${name}-${scheme}.png`);
        });
        if (errors.length > 0) throw new Error(`errors in the page: ${errors.join("; ")}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
