/**
 * runFleet(): provisions every device of a manifest with bounded concurrency, records each outcome in the
 * journal as it goes, retries what may pass on a second try (a device not reachable yet, a lost link) with
 * back-off and never what cannot (a wrong PoP, a wrong passphrase), and reports per device what happened.
 */
import { getMaxListeners, setMaxListeners } from "node:events";
import type { Clock } from "../clock.js";
import { realClock } from "../clock.js";
import { ErrorCodes, WifiProvError } from "../errors.js";
import type { ProvisionOptions, ProvisionResult, ProvisionStep } from "../client/provision.js";
import type { FleetDevice } from "./manifest.js";
import type { FleetJournal } from "./journal.js";

export type DeviceOutcome =
  | "connected"
  | "wifi-failed" // the device could not join: wrong passphrase, network not found
  | "handshake-failed" // wrong PoP / SRP credentials, or handshakes refused
  | "unreachable"
  | "timeout" // no final answer in time
  | "error"; // the device refused a command, bad input, anything else

export interface DeviceReport {
  key: string;
  line: number;
  name?: string;
  outcome: DeviceOutcome;
  reason?: string;
  ip?: string;
  securityVersion?: number;
  patchVersion?: number;
  /** What the device announced on proto-ver (its firmware generation). */
  firmware?: string;
  attempts: number;
  /** Milliseconds per provisioning step of the last attempt (and `join`: joining its SoftAP). */
  timings: Partial<Record<ProvisionStep | "join", number>>;
  /** Recorded as connected by an earlier run of the same manifest; not provisioned again. */
  fromJournal?: boolean;
  /** The laptop's Wi-Fi interface that joined the device's SoftAP (rows with a `join` column). */
  interface?: string;
  /** The status read before the credentials said the device had already joined a network: nothing was sent. */
  alreadyConnected?: boolean;
  /** The device's last attempt had failed (a network that did not work); it was reset before the credentials. */
  resetFirst?: boolean;
}

export type FleetEvent =
  | { type: "start"; device: FleetDevice; attempt: number }
  | { type: "retry"; device: FleetDevice; attempt: number; delayMs: number; error: string }
  | { type: "done"; report: DeviceReport };

export interface FleetOptions {
  devices: readonly FleetDevice[];
  /** The network every device joins unless its row names another. */
  ssid?: string;
  passphrase?: string;
  /** Devices in flight at once. Default DEFAULT_FLEET_CONCURRENCY. */
  concurrency?: number;
  /** Extra tries for transient failures (unreachable, lost link). Default 2. */
  retries?: number;
  /** First back-off; doubles per retry. Default 1000 ms. */
  retryDelayMs?: number;
  /** Per-device limit for the connection outcome. Default 60 000 ms. */
  waitTimeoutMs?: number;
  journal?: FleetJournal;
  onEvent?: (event: FleetEvent) => void;
  signal?: AbortSignal;
  clock?: Clock;
  /** How one device is provisioned (the Node entry's provision(); tests inject their own). */
  provision: (options: ProvisionOptions) => Promise<ProvisionResult>;
  /**
   * Joins a row's SoftAP (rows with `join`) before it is provisioned; restore() puts the interface back after.
   * The CLI passes src/join over NetworkManager. Rows that join go one at a time per interface.
   */
  joinSoftAp?: (request: SoftApJoinRequest) => Promise<{ restore(): Promise<unknown> }>;
  /**
   * The laptop's interfaces for rows that join a SoftAP, used in parallel (default: one, the join function's
   * own default). Rows without `join` run `concurrency` at once beside them.
   */
  interfaces?: readonly string[];
}

export interface SoftApJoinRequest {
  ssid: string;
  password?: string;
  interfaceName?: string;
  signal?: AbortSignal;
}

export interface FleetReport {
  devices: DeviceReport[];
  counts: Record<DeviceOutcome, number>;
  wallMs: number;
}

/**
 * May a second try pass? When the device was not reached or did not answer in time, yes. A connection closed
 * without a reply only once the session was established (the link to the SoftAP dropped): during a handshake
 * it is how a device rejects a wrong PoP (protocomm_httpd closes the socket when the security handler fails),
 * and the guard on our own device counts every such guess.
 */
function isTransient(error: unknown, sessionEstablished: boolean): boolean {
  if (!(error instanceof WifiProvError)) return false;
  if (error.code === ErrorCodes.CLOSED_WITHOUT_REPLY) return sessionEstablished;
  return error.code === ErrorCodes.TRANSPORT || error.code === ErrorCodes.TIMEOUT;
}

function outcomeOfError(error: unknown): { outcome: DeviceOutcome; reason: string } {
  const reason = error instanceof Error ? error.message : String(error);
  if (!(error instanceof WifiProvError)) return { outcome: "error", reason };
  switch (error.code) {
    case ErrorCodes.AUTHENTICATION:
    case ErrorCodes.LOCKED_OUT:
      return { outcome: "handshake-failed", reason };
    case ErrorCodes.TRANSPORT:
      return { outcome: "unreachable", reason };
    case ErrorCodes.TIMEOUT:
      return { outcome: "timeout", reason };
    default:
      return { outcome: "error", reason };
  }
}

/**
 * Devices in flight at once unless told. A device spends most of its run waiting (its join, and the status poll
 * 200 ms after ApplyConfig that sees it connected), so the concurrency is what turns waiting into throughput:
 * against a fast virtual fleet each device needs about 6 ms of this machine's two cores and waits about 250 ms,
 * so some 40 in flight keep both cores busy. With 8, 1000 devices took 29 s and left the cores mostly idle;
 * with 64, 7-10 s (README "Benchmarks"). A device on the far side is not loaded by it: each has one session.
 */
export const DEFAULT_FLEET_CONCURRENCY = 64;

const emptyCounts = (): Record<DeviceOutcome, number> => ({
  connected: 0,
  "wifi-failed": 0,
  "handshake-failed": 0,
  unreachable: 0,
  timeout: 0,
  error: 0,
});

export async function runFleet(options: FleetOptions): Promise<FleetReport> {
  const clock = options.clock ?? realClock;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_FLEET_CONCURRENCY));
  const retries = Math.max(0, Math.floor(options.retries ?? 2));
  const retryDelayMs = Math.max(0, options.retryDelayMs ?? 1000);
  const started = clock.now();
  // Every device in flight listens on the one signal (its requests, its back-off): not a leak.
  if (options.signal !== undefined) {
    setMaxListeners(Math.max(getMaxListeners(options.signal), 10 + concurrency * 4), options.signal);
  }
  const reports: DeviceReport[] = [];
  const queue = [...options.devices];
  const emit = options.onEvent ?? (() => undefined);
  // The first journal write that fails (a full disk): no device is started after it, and runFleet rejects
  // with it once the devices in flight have ended. What was written before stays as it was (atomic writes).
  let journalError: unknown;
  const record = async (key: string, entry: Parameters<FleetJournal["record"]>[1]): Promise<boolean> => {
    if (options.journal === undefined) return true;
    if (journalError !== undefined) return false;
    try {
      await options.journal.record(key, entry);
      return true;
    } catch (error) {
      journalError ??= error;
      return false;
    }
  };

  /** Undefined when the device was not started (or not tried again) because the journal cannot be written. */
  const provisionOne = async (device: FleetDevice, iface?: string): Promise<DeviceReport | undefined> => {
    const base = {
      key: device.key,
      line: device.line,
      ...(device.name ? { name: device.name } : {}),
      ...(device.join !== undefined && iface !== undefined ? { interface: iface } : {}),
    };
    const recorded = options.journal?.get(device.key);
    if (recorded?.state === "connected") {
      return {
        ...base,
        outcome: "connected",
        attempts: recorded.attempts,
        timings: {},
        fromJournal: true,
        ...(recorded.ip ? { ip: recorded.ip } : {}),
      };
    }
    const ssid = device.ssid ?? options.ssid;
    const passphrase = device.passphrase ?? options.passphrase ?? "";
    if (ssid === undefined) {
      return {
        ...base,
        outcome: "error",
        reason: "no network: give --ssid, or an ssid column",
        attempts: 0,
        timings: {},
      };
    }
    let attempt = 0;
    for (;;) {
      attempt++;
      // Recorded before the device is contacted, so a crash from here on is seen on resume.
      if (!(await record(device.key, { state: "in-flight", attempts: attempt }))) return undefined;
      emit({ type: "start", device, attempt });
      const timings: Partial<Record<ProvisionStep | "join", number>> = {};
      const stepStarted = new Map<ProvisionStep, number>();
      let joined: { restore(): Promise<unknown> } | undefined;
      let sessionEstablished = false;
      // What the device announced and the session it gave, kept for the report also when a later step fails.
      let seen: Pick<DeviceReport, "securityVersion" | "patchVersion" | "firmware"> = {};
      try {
        if (device.join !== undefined) {
          if (options.joinSoftAp === undefined) {
            return {
              ...base,
              outcome: "error",
              reason: "this run cannot join SoftAPs",
              attempts: attempt,
              timings,
            };
          }
          const joinStarted = clock.now();
          joined = await options.joinSoftAp({
            ssid: device.join,
            ...(device.softApPassword !== undefined ? { password: device.softApPassword } : {}),
            ...(iface !== undefined ? { interfaceName: iface } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          });
          timings.join = Math.round(clock.now() - joinStarted);
        }
        const result = await options.provision({
          serviceName: device.serviceName,
          ...(device.pop !== undefined ? { pop: device.pop } : {}),
          ...(device.username !== undefined ? { username: device.username } : {}),
          ...(device.password !== undefined ? { password: device.password } : {}),
          ssid,
          passphrase,
          waitTimeoutMs: options.waitTimeoutMs ?? 60_000,
          // The status first, as the issue asks and `wifiprov provision` does: a device that already joined is
          // recorded as connected and sent nothing; one whose last attempt failed is reset (prov-ctrl) first.
          statusFirst: true,
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (event) => {
            if (event.type !== "step") return;
            if (event.step === "connect" && event.phase === "done" && event.version) {
              seen = { ...seen, firmware: event.version.protocolVersion ?? event.version.raw };
            }
            if (event.step === "session" && event.phase === "done") {
              sessionEstablished = true;
              if (event.session) {
                seen = {
                  ...seen,
                  securityVersion: event.session.securityVersion,
                  patchVersion: event.session.patchVersion,
                };
              }
            }
            if (event.phase === "start") stepStarted.set(event.step, clock.now());
            else timings[event.step] = Math.round(clock.now() - (stepStarted.get(event.step) ?? clock.now()));
          },
        });
        const info = {
          securityVersion: result.session.securityVersion,
          patchVersion: result.session.patchVersion,
          firmware: result.version.protocolVersion ?? result.version.raw,
          ...(result.alreadyConnected ? { alreadyConnected: true } : {}),
          ...(result.resetFirst ? { resetFirst: true } : {}),
        };
        const o = result.outcome;
        if (o.state === "connected")
          return { ...base, outcome: "connected", ip: o.ip, attempts: attempt, timings, ...info };
        if (o.state === "failed")
          return { ...base, outcome: "wifi-failed", reason: o.reason, attempts: attempt, timings, ...info };
        const reason = o.state === "unknown" ? o.why : `no final status within ${o.waitedMs} ms`;
        return { ...base, outcome: "timeout", reason, attempts: attempt, timings, ...info };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (isTransient(error, sessionEstablished) && attempt <= retries) {
          const delayMs = retryDelayMs * 2 ** (attempt - 1);
          emit({ type: "retry", device, attempt, delayMs, error: (error as Error).message });
          await clock.sleep(delayMs, options.signal);
          continue;
        }
        return { ...base, ...outcomeOfError(error), attempts: attempt, timings, ...seen };
      } finally {
        // Back to what the interface had before, also on failure and when the run is aborted (Ctrl-C).
        await joined?.restore().catch(() => undefined);
      }
    }
  };

  const worker = async (from: FleetDevice[], iface?: string) => {
    while (journalError === undefined && !options.signal?.aborted) {
      const device = from.shift();
      if (device === undefined) return;
      const report = await provisionOne(device, iface);
      if (report === undefined) return;
      if (!report.fromJournal) {
        // A failure here stops the run; the device's outcome is still reported (it happened).
        await record(device.key, {
          state: report.outcome === "connected" ? "connected" : "failed",
          outcome: report.outcome,
          ...(report.reason ? { reason: report.reason } : {}),
          ...(report.ip ? { ip: report.ip } : {}),
          attempts: report.attempts,
        });
      }
      reports.push(report);
      emit({ type: "done", report });
    }
  };
  // Rows reached over the network run `concurrency` at once; rows behind a SoftAP one at a time per interface
  // (a Wi-Fi interface is on one network at a time), the interfaces in parallel, beside the others.
  const direct = queue.filter((d) => d.join === undefined);
  const viaSoftAp = queue.filter((d) => d.join !== undefined);
  const interfaces: Array<string | undefined> =
    options.interfaces !== undefined && options.interfaces.length > 0 ? [...options.interfaces] : [undefined];
  await Promise.all([
    ...Array.from({ length: Math.min(concurrency, direct.length) }, () => worker(direct)),
    ...(viaSoftAp.length > 0
      ? interfaces.slice(0, viaSoftAp.length).map((iface) => worker(viaSoftAp, iface))
      : []),
  ]);
  if (journalError !== undefined) throw journalError;
  const counts = emptyCounts();
  for (const r of reports) counts[r.outcome]++;
  reports.sort((a, b) => a.line - b.line);
  return { devices: reports, counts, wallMs: Math.round(clock.now() - started) };
}
