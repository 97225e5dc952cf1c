/**
 * The captive portal page as a phone gets it: the size of each file the device serves (raw and gzip -9; goal
 * ≤ 60 KB gzipped in total), the time from navigation to an established session per security level, and the
 * first contentful paint with the CPU slowed four times (goal ≤ 300 ms on a phone-class CPU), and unslowed
 * for comparison. Wall-clock figures: the machine's load average is printed beside them.
 *
 * Session time: a virtual device on 127.0.0.1 serves the page (as `--portal` does), headless Chromium opens it
 * on an insecure origin with the credentials in the QR fragment, and the page's own performance marks give
 * navigation → form ready (device name, proto-ver) plus "Connect" → session established (the handshake over
 * HTTP, pure-JS crypto in the page, the device's side in Node on the same machine). The time a person or the
 * automation takes to press the button is left out. A fresh browser context each run (no cache, no cookie);
 * the median of RUNS runs after one warm-up. Needs Debian's chromium; without it those rows are "skipped".
 *
 * First paint: Chromium over its DevTools pipe with no Playwright attached (bench/cdp-pipe.ts: Playwright's
 * own script world, built while the page commits, is work no phone does), a new tab per run
 * that first shows an empty page and then the portal, as Android's captive-portal app opens it; Navigation
 * Timing beside it shows how much of it is the device's response. The renderer CPU row comes from a
 * Playwright trace, so it includes Playwright's script world.
 */
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { portalAssets } from "../scripts/build-portal.js";
import { startVirtualDevice } from "../src/device/index.js";
import type { RunningVirtualDevice, VirtualDeviceOptions } from "../src/device/index.js";
import { silentLogger } from "../src/logger.js";
import { CHROMIUM, CHROMIUM_ARGS, INSECURE_HOST } from "../test/helpers/chromium.js";
import { CdpPipe, paintedPage } from "./cdp-pipe.js";
import type { BenchRow } from "./run.js";

export const name = "captive portal page (bundle, session from navigation, first paint in Chromium)";

const RUNS = 7;
const GZIP_GOAL_KB = 60;
const FCP_GOAL_MS = 300;
const THROTTLE = 4;
const SRP = { username: "wifiprov", password: "abcd1234" };

const levels: Array<{ name: string; options: VirtualDeviceOptions; hash: string }> = [
  { name: "sec0", options: { security: { version: 0 } }, hash: "" },
  { name: "sec1", options: { security: { version: 1, pop: "abcd1234" } }, hash: "#pop=abcd1234" },
  {
    name: "sec2 patch 1",
    options: { security: { version: 2, ...SRP } },
    hash: `#username=${SRP.username}&pop=${SRP.password}`,
  },
  {
    name: "sec2 patch 0 (idf-v5.0)",
    options: { compat: "idf-v5.0", security: { version: 2, ...SRP } },
    hash: `#username=${SRP.username}&pop=${SRP.password}`,
  },
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const kb = (bytes: number) => bytes / 1024;

/** The page's performance marks (portal/page.ts), ms since navigation start. */
async function marks(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() =>
    Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime])),
  );
}

async function withDevice<T>(
  options: VirtualDeviceOptions,
  assets: Awaited<ReturnType<typeof portalAssets>>,
  use: (url: string) => Promise<T>,
): Promise<T> {
  const device: RunningVirtualDevice = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    logger: silentLogger,
    portal: assets,
    ...options,
  });
  try {
    return await use(`http://${INSECURE_HOST}:${device.address.port}/`);
  } finally {
    await device.close();
  }
}

/** Runs `once` in a fresh context RUNS + 1 times and returns the results after the warm-up. */
async function repeat<T>(browser: Browser, once: (page: Page) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    try {
      const result = await once(await context.newPage());
      if (i > 0) results.push(result);
    } finally {
      await context.close();
    }
  }
  return results;
}

async function sessionTimes(
  browser: Browser,
  assets: Awaited<ReturnType<typeof portalAssets>>,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const level of levels) {
    const runs = await withDevice(level.options, assets, (url) =>
      repeat(browser, async (page) => {
        await page.goto(url + level.hash);
        await page.getByRole("button", { name: /Connect to the device|Continue/ }).click();
        await page.waitForFunction(() => performance.getEntriesByName("wifiprov:session").length > 0);
        const m = await marks(page);
        const ready = m["wifiprov:ready"]!;
        const handshake = m["wifiprov:session"]! - m["wifiprov:login"]!;
        return { ready, handshake, total: ready + handshake };
      }),
    );
    rows.push({
      name: `${level.name}: navigation → session established`,
      value: median(runs.map((r) => r.total)),
      unit: "ms",
      note:
        `median of ${RUNS}: page ready ${median(runs.map((r) => r.ready)).toFixed(0)} ms + ` +
        `handshake ${median(runs.map((r) => r.handshake)).toFixed(0)} ms`,
    });
  }
  return rows;
}

/** In the page once it has painted: waits for the form (the `wifiprov:ready` mark), then reads the times. */
const PAINT_TIMES = `new Promise((resolve) => {
  const read = () => {
    const nav = performance.getEntriesByType("navigation")[0];
    resolve({
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
      responseStart: nav.responseStart,
      responseEnd: nav.responseEnd,
      domInteractive: nav.domInteractive,
      ready: performance.getEntriesByName("wifiprov:ready")[0].startTime,
    });
  };
  if (performance.getEntriesByName("wifiprov:ready").length > 0) return read();
  new PerformanceObserver(() => {
    if (performance.getEntriesByName("wifiprov:ready").length > 0) read();
  }).observe({ type: "mark" });
})`;

interface PaintTimes {
  fcp: number;
  responseStart: number;
  responseEnd: number;
  domInteractive: number;
  ready: number;
}

/**
 * First contentful paint at CPU ×`rate`, with Navigation Timing beside it (how much is the response, how much
 * the renderer) and the time to the form. Driven over the DevTools pipe without Playwright (bench/cdp-pipe.ts
 * says why), opening the portal after an empty page as Android's captive-portal app does.
 */
async function firstPaint(
  assets: Awaited<ReturnType<typeof portalAssets>>,
  rate: number,
): Promise<BenchRow[]> {
  const cdp = await CdpPipe.launch(CHROMIUM, [...CHROMIUM_ARGS, "--window-size=360,640"]);
  let runs: PaintTimes[];
  try {
    runs = await withDevice(levels[1]!.options, assets, async (url) => {
      const results: PaintTimes[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const times = await paintedPage<PaintTimes>(cdp, url, rate, PAINT_TIMES);
        if (i > 0) results.push(times);
      }
      return results;
    });
  } finally {
    await cdp.close();
  }
  const ms = (key: keyof PaintTimes) => `${median(runs.map((r) => r[key])).toFixed(0)} ms`;
  const load = `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`;
  return [
    {
      name: `first contentful paint, CPU ×${rate}`,
      value: median(runs.map((r) => r.fcp)),
      unit: "ms",
      note: `median of ${RUNS}${rate === THROTTLE ? `; goal ≤ ${FCP_GOAL_MS} ms` : ""}; ${load}`,
    },
    {
      name: `  of which: response, CPU ×${rate}`,
      value: median(runs.map((r) => r.responseEnd)),
      unit: "ms",
      note: `median of ${RUNS}: first byte ${ms("responseStart")}, last byte ${ms("responseEnd")}, parsed (domInteractive) ${ms("domInteractive")}`,
    },
    {
      name: `form ready (proto-ver answered), CPU ×${rate}`,
      value: median(runs.map((r) => r.ready)),
      unit: "ms",
      note: `median of ${RUNS}; sec1`,
    },
  ];
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * CPU time of the renderer's main thread from navigation start to the first contentful paint, from a Chromium
 * trace (thread time of every top-level task): unlike wall time it does not grow when other processes load
 * the machine, so ×4 of it estimates the page's own share of a first paint on a CPU four times slower.
 */
async function paintCpu(
  browser: Browser,
  assets: Awaited<ReturnType<typeof portalAssets>>,
): Promise<BenchRow> {
  const runs = await withDevice(levels[1]!.options, assets, (url) =>
    repeat(browser, async (page) => {
      await browser.startTracing(page, {
        categories: ["toplevel", "loading", "blink.user_timing", "__metadata"],
      });
      await page.goto(url);
      await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0);
      const trace = JSON.parse((await browser.stopTracing()).toString()) as
        { traceEvents: TraceEvent[] } | TraceEvent[];
      const events = Array.isArray(trace) ? trace : trace.traceEvents;
      const fcp = events.find((e) => e.name === "firstContentfulPaint");
      const start = events.find((e) => e.name === "navigationStart" && e.pid === fcp?.pid);
      const main = events.find(
        (e) => e.name === "thread_name" && e.pid === fcp?.pid && e.args?.name === "CrRendererMain",
      );
      if (fcp === undefined || start === undefined || main === undefined) return Number.NaN;
      return events
        .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X" && e.cat === "toplevel")
        .filter((e) => e.ts >= start.ts && e.ts <= fcp.ts)
        .reduce((sum, e) => sum + (e.tdur ?? e.dur ?? 0) / 1000, 0);
    }),
  );
  const cpu = median(runs);
  return {
    name: "renderer main-thread CPU, navigation → first paint",
    value: cpu,
    unit: "ms",
    note: `median of ${RUNS}; ×${THROTTLE} = ${(cpu * THROTTLE).toFixed(0)} ms vs the ${FCP_GOAL_MS} ms goal; thread time, load-independent`,
  };
}

export async function run(): Promise<BenchRow[]> {
  const assets = await portalAssets();
  const rows: BenchRow[] = [];
  let total = 0;
  for (const [path, asset] of Object.entries(assets)) {
    const gzipped = gzipSync(asset.body, { level: 9 }).length;
    total += gzipped;
    rows.push({
      name: `${path === "/" ? "/ (index.html)" : path}, gzip -9`,
      value: kb(gzipped),
      unit: "KB",
      note: `${kb(asset.body.length).toFixed(1)} KB raw`,
    });
  }
  rows.push({
    name: "page total, gzip -9",
    value: kb(total),
    unit: "KB",
    note: `goal ≤ ${GZIP_GOAL_KB} KB: ${kb(total) <= GZIP_GOAL_KB ? "met" : "MISSED"}`,
  });
  if (!existsSync(CHROMIUM)) {
    const note = `${CHROMIUM} not found: sudo apt-get install -y chromium`;
    for (const level of levels) {
      rows.push({ name: `${level.name}: navigation → session established`, unit: "ms", skipped: true, note });
    }
    rows.push({ name: `first contentful paint, CPU ×${THROTTLE}`, unit: "ms", skipped: true, note });
    return rows;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    rows.push(
      ...(await sessionTimes(browser, assets)),
      ...(await firstPaint(assets, 1)),
      ...(await firstPaint(assets, THROTTLE)),
      await paintCpu(browser, assets),
    );
  } finally {
    await browser.close();
  }
  return rows;
}
