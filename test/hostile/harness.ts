/**
 * Shared pieces of the hostile-input tests and of `npm run fuzz`: a device to attack, a trap for process-level
 * errors, resource and memory snapshots, and the "next legitimate client still provisions" check.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { connect } from "../../src/index.js";
import type { SessionOptions } from "../../src/client/index.js";
import { startVirtualDevice } from "../../src/device/index.js";
import type { VirtualDeviceOptions, RunningVirtualDevice } from "../../src/device/index.js";
import { silentLogger } from "../../src/logger.js";
import type { Logger } from "../../src/logger.js";
import { HandshakeGuard } from "../../src/protocomm/index.js";
import type { ClientSessionOptions } from "../../src/security/index.js";

export type SecurityLevel = 0 | 1 | 2;

/** Credentials of the devices started here (the examples' defaults). */
export const POP = "abcd1234";
export const SEC2_USER = "wifiprov";
export const SEC2_PASSWORD = "abcd1234";

export function deviceSecurity(level: SecurityLevel): NonNullable<VirtualDeviceOptions["security"]> {
  if (level === 0) return { version: 0 };
  if (level === 1) return { version: 1, pop: POP };
  return { version: 2, username: SEC2_USER, password: SEC2_PASSWORD };
}

/** The client-role session matching deviceSecurity(level) (v5.5: sec2 patch 1). */
export function clientSecurity(level: SecurityLevel): ClientSessionOptions {
  if (level === 0) return { version: 0 };
  if (level === 1) return { version: 1, pop: POP };
  return { version: 2, patchVersion: 1, username: SEC2_USER, password: SEC2_PASSWORD };
}

export function sessionOptions(level: SecurityLevel): SessionOptions {
  if (level === 0) return { secVer: 0 };
  if (level === 1) return { secVer: 1, pop: POP };
  return { secVer: 2, username: SEC2_USER, password: SEC2_PASSWORD };
}

/** Longest lockout of a target's handshake guard, ms of its GuardTime. */
const GUARD_MAX_DELAY_MS = 4;

/**
 * The time a target's handshake guard runs on. It moves only when a client waits out a lockout
 * (`passLockout()`), so whether a handshake is refused depends on the failures before it, never on how long
 * the machine took between two requests.
 */
export class GuardTime {
  #now = 0;
  readonly now = (): number => this.#now;
  /** Moves past the longest lockout the guard can be in. */
  readonly passLockout = (): void => {
    this.#now += GUARD_MAX_DELAY_MS;
  };
}

export type Target = RunningVirtualDevice & { guardTime: GuardTime };

/**
 * A device under attack: fast simulated time, kept running after success (so the legitimate client can
 * re-provision it after every batch with CtrlReprov), and a handshake guard with a tiny back-off on a
 * GuardTime of its own (the session fuzzer produces wrong proofs; the guard path runs, and clients pass a
 * lockout by moving that time instead of sleeping).
 */
export async function startTarget(
  level: SecurityLevel,
  extra: Partial<VirtualDeviceOptions> = {},
): Promise<Target> {
  const guardTime = new GuardTime();
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: deviceSecurity(level),
    timeScale: 0.001,
    autoStopMs: false,
    logger: silentLogger,
    handshakeGuard: new HandshakeGuard({
      maxFailures: 5,
      baseDelayMs: 1,
      maxDelayMs: GUARD_MAX_DELAY_MS,
      logger: silentLogger,
      clock: guardTime,
    }),
    ...extra,
  });
  return Object.assign(device, { guardTime });
}

/** Records unhandled rejections and uncaught exceptions instead of letting them pass unnoticed. */
export class ProcessErrorTrap {
  readonly errors: string[] = [];
  readonly #onRejection = (reason: unknown) => this.errors.push(`unhandledRejection: ${describe(reason)}`);
  readonly #onException = (error: unknown) => this.errors.push(`uncaughtException: ${describe(error)}`);

  constructor() {
    process.on("unhandledRejection", this.#onRejection);
    process.on("uncaughtException", this.#onException);
  }

  /** Throws when anything was trapped. */
  check(where: string): void {
    if (this.errors.length > 0) throw new Error(`${where}: ${this.errors.join("; ")}`);
  }

  dispose(): void {
    process.off("unhandledRejection", this.#onRejection);
    process.off("uncaughtException", this.#onException);
  }
}

function describe(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ""}` : String(value);
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection (exposes V8's gc() at run time, so no --expose-gc flag is needed). */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as () => void;
  }
  gcFunction();
  gcFunction();
}

export interface ResourceSnapshot {
  heapUsed: number;
  rss: number;
  /** Open TCP handles of this process (servers, client and accepted sockets). */
  tcp: number;
  /** Active timers of this process. */
  timers: number;
}

export function snapshot(): ResourceSnapshot {
  collectGarbage();
  const resources = process.getActiveResourcesInfo();
  const memory = process.memoryUsage();
  return {
    heapUsed: memory.heapUsed,
    rss: memory.rss,
    tcp: resources.filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap").length,
    timers: resources.filter((r) => r === "Timeout").length,
  };
}

/** Waits (briefly) until the open TCP handles and timers are back to `baseline` or fewer. */
export async function settled(
  baseline: ResourceSnapshot,
  extraTimers = 0,
  timeoutMs = 15_000, // returns as soon as resources are back; the long bound only matters on a loaded machine
): Promise<ResourceSnapshot> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const now = snapshot();
    if ((now.tcp <= baseline.tcp && now.timers <= baseline.timers + extraTimers) || Date.now() > end) {
      return now;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The next legitimate client: src/client connect → session → CtrlReprov (the device keeps running after
 * success) → SetConfig/Apply myssid → waits for the outcome. Throws unless the outcome is "connected".
 */
export async function legitimateProvision(
  device: RunningVirtualDevice & { guardTime?: GuardTime },
  level: SecurityLevel,
  options: { attempts?: number; logger?: Logger } = {},
): Promise<{ attempts: number }> {
  const attempts = options.attempts ?? 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // It arrives after the attack: a lockout the attack's wrong proofs caused has run out by then.
    device.guardTime?.passLockout();
    try {
      const client = await connect({ serviceName: device.serviceName, timeoutMs: 5000 });
      try {
        await client.establishSession(sessionOptions(level));
        await client.reprov();
        await client.setConfig({ ssid: "myssid", passphrase: "mypassword" });
        await client.applyConfig();
        const outcome = await client.waitForConnection({
          timeoutMs: 5000,
          backoff: { initialMs: 2, factor: 1.5, maxMs: 20 },
        });
        if (outcome.state !== "connected") {
          throw new Error(`legitimate client got ${JSON.stringify(outcome)}`);
        }
        return { attempts: attempt };
      } finally {
        await client.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
  throw lastError;
}
