/**
 * Runs the battery against one device: reads proto-ver, decides what the claimed release would do, runs each
 * check, and after each one makes sure the device still answers — when it stops, the rest is "not run" and
 * the report says after which check it went away.
 */
import { realClock } from "../clock.js";
import type { Clock } from "../clock.js";
import { parseDeviceVersion } from "../client/version.js";
import type { DeviceVersion } from "../client/version.js";
import { ProtocolError, TransportError, UsageError } from "../errors.js";
import { parseHostPort } from "../transport/host-port.js";
import type { SecurityVersion } from "../security/index.js";
import type { RandomBytes } from "../security/types.js";
import { defaultRandomBytes } from "../crypto/random.js";
import { CHECKS, stillAnswers } from "./checks.js";
import { DESTRUCTIVE_CHECKS } from "./checks-destructive.js";
import { endpointCheck, parseEndpointName } from "./checks-http.js";
import type { Check, Verdict } from "./checks.js";
import { CheckFailure } from "./context.js";
import type { CheckContext, Credentials } from "./context.js";
import { expectationsFromVersion, profileExpectations } from "./expectations.js";
import type { ProfileName } from "./expectations.js";
import { Connection, describeOutcome, post } from "./wire.js";

export interface ConformanceOptions {
  /** host:port of the device's provisioning service. */
  serviceName: string;
  /** The release to compare with; "auto" (default) reads it from proto-ver. */
  profile?: ProfileName | "auto";
  credentials?: Credentials;
  /** Security level to assume when proto-ver does not say (plain or old JSON); default as esp_prov: 1. */
  securityVersion?: SecurityVersion;
  clock?: Clock;
  /** How long to wait for a reply or a close before calling the device silent. Default 5000 ms. */
  waitMs?: number;
  /** Only the checks with these ids. */
  only?: readonly string[];
  /** Custom endpoints to probe (`--endpoint NAME`), one check each, run whatever `only` says. */
  endpoints?: readonly string[];
  /**
   * Handshakes the SRP leading-zero checks may run looking for a B or S with a leading zero byte (each has one
   * about 1 time in 256). Default 1024: both are then seen with probability ≈ 96%.
   */
  srpAttempts?: number;
  /**
   * Allow the destructive checks: the device is given these credentials (and first a wrong passphrase), gets
   * reset, joins the network and, as the release does, stops its provisioning service.
   */
  provision?: { ssid: string; passphrase: string };
  /** Source of the SRP checks' client private values. Default: the crypto random source. */
  random?: RandomBytes;
  /** Called after each check (for progress output). */
  onFinding?: (finding: Finding) => void;
}

export interface Finding {
  id: string;
  title: string;
  verdict: Verdict;
  did: string;
  release: string;
  why: string;
}

export interface ConformanceReport {
  serviceName: string;
  /** The release the device was compared with. */
  profile: string;
  version: DeviceVersion;
  securityVersion: SecurityVersion;
  findings: Finding[];
  /** Set when the device stopped answering: after which check. */
  stoppedAfter?: string;
}

export const DEFAULT_SRP_ATTEMPTS = 1024;

export const CHECK_IDS: readonly string[] = CHECKS.map((c) => c.id);

/** Reads proto-ver, or explains why this is not a provisioning service. */
async function readVersion(
  ctx: Pick<CheckContext, "target" | "hostHeader">,
  serviceName: string,
): Promise<DeviceVersion> {
  let conn: Connection;
  try {
    conn = await Connection.open(ctx.target);
  } catch (cause) {
    throw new TransportError(
      `cannot reach ${serviceName}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        hint: "check that the device is running and that --service_name is its address",
      },
    );
  }
  try {
    const outcome = await conn.request(post(ctx.hostHeader, "proto-ver", "---"));
    if (outcome.kind !== "reply" || outcome.status !== 200) {
      throw new ProtocolError(
        `${serviceName} is not a provisioning service: POST /proto-ver ${describeOutcome(outcome)}`,
        {
          hint: "every ESP-IDF provisioning device answers POST /proto-ver with HTTP 200; check the address and port",
        },
      );
    }
    return parseDeviceVersion(outcome.body);
  } finally {
    conn.close();
  }
}

function securityOf(version: DeviceVersion, assumed: SecurityVersion | undefined): SecurityVersion {
  if (assumed !== undefined) return assumed;
  const announced = version.securityVersion;
  if (announced !== undefined) return announced;
  return version.capabilities.includes("no_sec") ? 0 : 1;
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  // Bad names are a usage error before anything is sent.
  const endpoints = [...new Set((options.endpoints ?? []).map(parseEndpointName))];
  const address = parseHostPort(options.serviceName);
  const clock = options.clock ?? realClock;
  const target = { host: address.host, port: address.port, clock, waitMs: options.waitMs ?? 5000 };
  const hostHeader = options.serviceName.replace(/^https?:\/\//, "");
  const version = await readVersion({ target, hostHeader }, options.serviceName);
  const profile = options.profile ?? "auto";
  const expect = profile === "auto" ? expectationsFromVersion(version) : profileExpectations(profile);
  const securityVersion = securityOf(version, options.securityVersion);
  const patch = version.securityPatchVersion ?? 0;
  const ctx: CheckContext = {
    target,
    hostHeader,
    version,
    expect,
    securityVersion,
    patchVersion: patch === 1 ? 1 : 0,
    credentials: options.credentials ?? {},
    random: options.random ?? defaultRandomBytes,
    srpAttempts: options.srpAttempts ?? DEFAULT_SRP_ATTEMPTS,
    ...(options.provision ? { provision: options.provision } : {}),
    run: {},
    memo: new Map(),
  };
  const checks = withEndpoints(selectChecks(options.only), endpoints);
  const findings: Finding[] = [];
  let stoppedAfter: string | undefined;
  const report = (check: Check, verdict: Verdict, did: string, release?: string, why?: string) => {
    const finding: Finding = {
      id: check.id,
      title: check.title,
      verdict,
      did,
      release: release ?? check.release(ctx),
      why: why ?? check.why,
    };
    findings.push(finding);
    options.onFinding?.(finding);
  };
  for (const check of checks) {
    if (stoppedAfter !== undefined) {
      report(check, "not-run", `not run: the device stopped answering after ${stoppedAfter}`);
      continue;
    }
    if (ctx.run.ended !== undefined) {
      report(check, "skipped", `not run: ${ctx.run.ended}`);
      continue;
    }
    const skip = check.skip?.(ctx);
    if (skip !== undefined) {
      report(check, "skipped", skip);
      continue;
    }
    try {
      const result = await check.run(ctx);
      report(check, result.verdict, result.did, result.release, result.why);
    } catch (err) {
      if (err instanceof CheckFailure) report(check, "fail", err.message);
      else report(check, "fail", `could not run: ${err instanceof Error ? err.message : String(err)}`);
    }
    // A check that may end provisioning (as the release does after success) says so itself in ctx.run.ended.
    if (check.endsDevice !== true && !(await stillAnswers(ctx))) stoppedAfter = check.id;
  }
  return {
    serviceName: options.serviceName,
    profile: expect.label,
    version,
    securityVersion,
    findings,
    ...(stoppedAfter !== undefined ? { stoppedAfter } : {}),
  };
}

function selectChecks(only: readonly string[] | undefined): readonly Check[] {
  if (only === undefined || only.length === 0) return CHECKS;
  const unknown = only.filter((id) => !CHECK_IDS.includes(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown check ${unknown.join(", ")}`, { hint: `checks: ${CHECK_IDS.join(", ")}` });
  }
  return CHECKS.filter((c) => only.includes(c.id));
}

/**
 * The endpoint probes go before the out-of-range scan request, the one ESP-IDF's own firmware dies on, so
 * they still run against such a device.
 */
const DESTRUCTIVE_IDS = new Set(DESTRUCTIVE_CHECKS.map((c) => c.id));

function withEndpoints(checks: readonly Check[], endpoints: readonly string[]): readonly Check[] {
  const probes = endpoints.map(endpointCheck);
  // Before the destructive checks (the device may end provisioning there) and scan.out-of-range (ESP dies).
  const last = checks.findIndex((c) => c.id === "scan.out-of-range" || DESTRUCTIVE_IDS.has(c.id));
  if (last === -1) return [...checks, ...probes];
  return [...checks.slice(0, last), ...probes, ...checks.slice(last)];
}

/** Exit status rule of the issue: success only when nothing failed (deviations are reported, not fatal). */
export function hasFailures(report: ConformanceReport): boolean {
  return report.findings.some((f) => f.verdict === "fail" || f.verdict === "not-run");
}
