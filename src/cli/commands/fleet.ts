/**
 * `wifiprov fleet`: provisions every device of a manifest (CSV or JSON lines), several at once, with a journal
 * that makes an interrupted run resumable and a report of what happened to each device. Exit 0 only when
 * every device ended connected.
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { provision } from "../../index.js";
import { StorageError, UsageError } from "../../errors.js";
import type { WifiProvError } from "../../errors.js";
import { FleetJournal, manifestDigest } from "../../fleet/journal.js";
import { parseManifest } from "../../fleet/manifest.js";
import { DEFAULT_FLEET_CONCURRENCY, runFleet } from "../../fleet/run-fleet.js";
import type { DeviceOutcome, DeviceReport, FleetEvent, SoftApJoinRequest } from "../../fleet/run-fleet.js";
import { findWifiInterface, joinSoftAp, openNetworkManager } from "../../join/index.js";

export interface FleetFlags {
  manifest?: string;
  ssid?: string;
  passphrase?: string;
  concurrency?: string;
  retries?: string;
  journal?: string;
  report?: string;
  timeout?: string;
  strict?: boolean;
  interface?: string;
}

/** Exit codes of `wifiprov fleet`. */
export const FleetExit = {
  ALL_CONNECTED: 0,
  SOME_NOT_CONNECTED: 1,
  USAGE: 2,
  /** The journal could not be written (a full disk): stopped, no device started after that. */
  JOURNAL_FAILED: 3,
  INTERRUPTED: 130,
} as const;

function wholeNumber(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return n;
}

const OUTCOME_WORDS: Record<DeviceOutcome, string> = {
  connected: "connected",
  "wifi-failed": "could not join the network",
  "handshake-failed": "handshake failed (PoP / SRP credentials)",
  unreachable: "unreachable",
  timeout: "no final answer in time",
  error: "other error",
};

function line(report: DeviceReport): string {
  const who =
    (report.name ? `${report.key} (${report.name})` : report.key) +
    (report.interface !== undefined ? ` via ${report.interface}` : "");
  const what =
    report.outcome === "connected"
      ? `connected${report.ip ? `, IP ${report.ip}` : ""}${report.fromJournal ? " (from the journal)" : ""}` +
        `${report.alreadyConnected ? " (had already joined: nothing sent)" : ""}` +
        `${report.resetFirst ? " (its last attempt had failed: reset first)" : ""}`
      : `${OUTCOME_WORDS[report.outcome]}${report.reason ? `: ${report.reason}` : ""}`;
  return `${who}: ${what}`;
}

export async function runFleetCommand(flags: FleetFlags): Promise<number> {
  const err = (message: string, hint?: string) =>
    process.stderr.write(`error: ${message}\n${hint ? `hint: ${hint}\n` : ""}`);
  let text: string;
  let concurrency: number, retries: number, waitTimeoutMs: number;
  try {
    if (flags.manifest === undefined) {
      throw new UsageError("--manifest FILE is required", {
        hint: "write one with: npx wifiprov device --count 10 --manifest-out fleet.jsonl",
      });
    }
    concurrency = wholeNumber("--concurrency", flags.concurrency, DEFAULT_FLEET_CONCURRENCY, 1, 1000);
    retries = wholeNumber("--retries", flags.retries, 2, 0, 10);
    waitTimeoutMs = wholeNumber("--timeout", flags.timeout, 60, 1, 3600) * 1000;
    try {
      text = await readFile(flags.manifest, "utf8");
    } catch (cause) {
      throw new UsageError(`cannot read the manifest ${flags.manifest}: ${(cause as Error).message}`, {
        cause,
      });
    }
  } catch (e) {
    err((e as Error).message, (e as WifiProvError).hint);
    return FleetExit.USAGE;
  }
  const manifest = parseManifest(text);
  for (const p of manifest.problems) err(`${flags.manifest} line ${p.line}: ${p.message}`);
  if (manifest.problems.length > 0 && flags.strict) {
    err(
      "not started: the manifest has problems",
      "fix the lines above, or drop --strict to run the good rows",
    );
    return FleetExit.USAGE;
  }
  if (manifest.devices.length === 0) {
    err(`${flags.manifest} names no device`);
    return FleetExit.USAGE;
  }
  const journalPath =
    flags.journal ?? join(dirname(flags.manifest), `${basename(flags.manifest)}.journal.json`);
  let journal: FleetJournal;
  try {
    journal = await FleetJournal.open(journalPath, manifestDigest(text));
  } catch (e) {
    err((e as Error).message, (e as WifiProvError).hint);
    return FleetExit.USAGE;
  }

  const interfaces = (flags.interface ?? "")
    .split(",")
    .map((i) => i.trim())
    .filter((i) => i !== "");
  let softAps: Awaited<ReturnType<typeof openSoftApJoiner>> | undefined;
  if (manifest.devices.some((d) => d.join !== undefined)) {
    try {
      softAps = await openSoftApJoiner(interfaces);
    } catch (e) {
      err((e as Error).message, (e as WifiProvError).hint);
      return FleetExit.SOME_NOT_CONNECTED;
    }
  } else if (interfaces.length > 0) {
    err("--interface is for rows with a join column (a SoftAP to join), and the manifest has none");
    return FleetExit.USAGE;
  }

  const total = manifest.devices.length;
  const tty = Boolean(process.stderr.isTTY);
  let done = 0;
  let failed = 0;
  let inFlight = 0;
  const started = performance.now();
  const status = () => {
    const seconds = (performance.now() - started) / 1000;
    const rate = done / Math.max(seconds, 0.001);
    const eta = rate > 0 ? Math.round((total - done) / rate) : undefined;
    return `done ${done}/${total} · failed ${failed} · in flight ${inFlight} · ${rate.toFixed(1)}/s${eta !== undefined ? ` · ETA ${eta}s` : ""}`;
  };
  const onEvent = (event: FleetEvent) => {
    if (event.type === "start" && event.attempt === 1) inFlight++;
    if (event.type === "retry" && !tty) {
      process.stderr.write(`${event.device.key}: ${event.error}; retrying in ${event.delayMs} ms\n`);
    }
    if (event.type === "done") {
      if (!event.report.fromJournal) inFlight--;
      done++;
      if (event.report.outcome !== "connected") failed++;
      if (tty) process.stderr.write(`\r\x1b[K${status()}`);
      else process.stderr.write(`${line(event.report)}\n`);
    }
  };

  const controller = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const report = await runFleet({
      devices: manifest.devices,
      ...(flags.ssid !== undefined ? { ssid: flags.ssid } : {}),
      ...(flags.passphrase !== undefined ? { passphrase: flags.passphrase } : {}),
      concurrency,
      retries,
      waitTimeoutMs,
      journal,
      onEvent,
      signal: controller.signal,
      provision,
      ...(softAps !== undefined ? { joinSoftAp: softAps.join, interfaces: softAps.interfaces } : {}),
    });
    if (tty) process.stderr.write("\n");
    const lines = [`${total} devices in ${(report.wallMs / 1000).toFixed(1)} s:`];
    for (const [outcome, count] of Object.entries(report.counts)) {
      if (count > 0) lines.push(`  ${String(count).padStart(5)}  ${OUTCOME_WORDS[outcome as DeviceOutcome]}`);
    }
    if (manifest.problems.length > 0)
      lines.push(`  ${String(manifest.problems.length).padStart(5)}  manifest lines not run`);
    if (tty) for (const r of report.devices) if (r.outcome !== "connected") lines.push(`  ${line(r)}`);
    process.stdout.write(lines.join("\n") + "\n");
    if (flags.report !== undefined) {
      await writeFile(
        flags.report,
        JSON.stringify({ ...report, manifestProblems: manifest.problems }, null, 2) + "\n",
      );
    }
    return report.counts.connected === total && manifest.problems.length === 0
      ? FleetExit.ALL_CONNECTED
      : FleetExit.SOME_NOT_CONNECTED;
  } catch (e) {
    if (tty) process.stderr.write("\n");
    if (interrupted) {
      err(`interrupted: what finished is in ${journalPath}`, "run the same command again to resume");
      return FleetExit.INTERRUPTED;
    }
    if (e instanceof StorageError) {
      err(`stopped, no new device started: ${e.message}`, e.hint);
      return FleetExit.JOURNAL_FAILED;
    }
    err((e as Error).message, (e as WifiProvError).hint);
    return FleetExit.SOME_NOT_CONNECTED;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    softAps?.close();
  }
}

/**
 * NetworkManager for the manifest's `join` rows: the interfaces are checked before anything runs, and each
 * join restores its interface afterwards (runFleet calls restore()).
 */
async function openSoftApJoiner(interfaces: string[]) {
  const bus = await openNetworkManager({
    unavailableMessage:
      "NetworkManager is not running; the manifest's join rows need it: join each SoftAP yourself and give its service_name instead",
  });
  try {
    for (const name of interfaces) await findWifiInterface(bus, name);
  } catch (e) {
    bus.close();
    throw e;
  }
  return {
    interfaces,
    join: (request: SoftApJoinRequest) =>
      joinSoftAp(bus, {
        ssid: request.ssid,
        ...(request.password !== undefined ? { password: request.password } : {}),
        ...(request.interfaceName !== undefined ? { interfaceName: request.interfaceName } : {}),
        ...(request.signal !== undefined ? { signal: request.signal } : {}),
      }),
    close: () => bus.close(),
  };
}
