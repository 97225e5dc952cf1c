/**
 * The checks that change the device: it is given credentials, tries a network, gets reset, and — at the end —
 * joins the network and (as the release does) stops its provisioning service. They run only with
 * `--allow-provision --ssid S --passphrase P`; without, each is reported skipped with that reason.
 *
 * What the release does (ESP-IDF v5.5 wifi_provisioning: handlers.c, manager.c, wifi_config.c, wifi_ctrl.c;
 * network_provisioning 1.2 manager.c for idf-v6.0; the v4.0 softap_prov example for idf-v4.0):
 * - SetConfig only stores the credentials (handlers.c set_config_handler); GetStatus is unchanged by it.
 * - Apply calls wifi_prov_mgr_configure_sta: state CRED_RECV, station Connecting, connect 1 s later; a second
 *   Apply is refused (prov_state >= CRED_RECV ⇒ ESP_FAIL ⇒ InternalError) until a CtrlReset (v5.0+; the
 *   v4.0 example accepts it).
 * - A wrong passphrase ends as ConnectionFailed with fail_reason AuthError (disconnect reasons 15, 202, 204, 14);
 *   with wifi_conn_attempts > 0 (v5.4.1+) each failed try first shows Connecting + attempt_failed.
 * - CtrlReset (v5.1+, wifi_ctrl.c → wifi_prov_mgr_reset_sm_state_on_failure) answers Success only in the FAIL
 *   state, InternalError otherwise (network_provisioning also Success when already back in STARTED).
 * - CtrlReprov answers Success only when the firmware disabled auto-stop (wifi_prov_mgr_disable_auto_stop),
 *   InternalError otherwise, in any state.
 * - The GetStatus that reports Connected (with ip4_addr, ssid, bssid, channel) calls wifi_prov_mgr_done(): with
 *   auto-stop (the default) the service stops about 1 s later (v5.0+); the v4.0 example stops 30 s after Got IP.
 */
import { Status } from "../proto/index.js";
import type { Check, CheckResult } from "./checks.js";
import { CheckFailure, call, decryptReply, establish, missingCredentials, open, request } from "./context.js";
import type { CheckContext, Session } from "./context.js";
import { ctrlResetRequest, getStatusRequest, statusName } from "./messages.js";
import {
  applyConfigRequest,
  ctrlReprovRequest,
  describeStation,
  readConfigStatus,
  readCtrlStatus,
  readStationStatus,
  setConfigRequest,
} from "./messages-provision.js";
import type { StationStatus } from "./messages-provision.js";

/** How long a connection attempt may take before the check gives up (a real ESP32 scans all channels first). */
const CONNECT_BUDGET_MS = 60_000;
/** GetStatus polling interval while connecting (esp_prov polls every second; a bit faster here). */
const POLL_MS = 250;
/** How long to watch for the service stopping after it reported Connected (the release: about 1 s). */
const STOP_BUDGET_MS = 5_000;

const result = (verdict: CheckResult["verdict"], did: string, why?: string): CheckResult => ({
  verdict,
  did,
  ...(why ? { why } : {}),
});

function pause(ctx: CheckContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    ctx.target.clock.setTimer(ms, resolve);
  });
}

const needsProvision = (ctx: CheckContext): string | undefined =>
  ctx.provision === undefined
    ? "changes the device: run with --allow-provision --ssid S --passphrase P"
    : missingCredentials(ctx);

/** The failure path needs prov-ctrl to get out of the failed state again (v5.1+). */
const needsFailurePath = (ctx: CheckContext): string | undefined => {
  const base = needsProvision(ctx);
  if (base !== undefined) return base;
  if (ctx.expect.ctrl === false || ctx.run.ctrlAbsent) {
    return "the release has no prov-ctrl (before v5.1): a failed attempt is left only by a reboot, so only the success path runs";
  }
  if (ctx.provision!.passphrase === "") return "an open network: there is no wrong passphrase to try";
  return undefined;
};

/** A wrong passphrase of a valid length (8…63) that differs from the right one. */
export function wrongPassphrase(passphrase: string): string {
  const base = passphrase.length > 55 ? passphrase.slice(0, 55) : passphrase;
  const wrong = `${base}-wrong!`;
  return wrong.length >= 8 ? wrong : `${wrong}xxxxxxxx`.slice(0, 8);
}

/** One session per check; its requests reconnect with the cookie when the device closed an idle socket. */
async function reopenIfClosed(ctx: CheckContext, session: Session): Promise<void> {
  if (session.conn.closed && session.cookie !== undefined) session.conn = await open(ctx);
}

async function send(ctx: CheckContext, session: Session, endpoint: string, plain: Uint8Array) {
  await reopenIfClosed(ctx, session);
  return call(ctx, session, endpoint, plain);
}

const getStatus = async (ctx: CheckContext, s: Session) =>
  readStationStatus(await send(ctx, s, "prov-config", getStatusRequest()));

/** CtrlReset / CtrlReprov: the status, or "absent" when prov-ctrl is 404. */
async function ctrl(ctx: CheckContext, s: Session, which: "reset" | "reprov"): Promise<Status | "absent"> {
  await reopenIfClosed(ctx, s);
  const plain = which === "reset" ? ctrlResetRequest() : ctrlReprovRequest();
  const outcome = await s.conn.request(request(ctx, "prov-ctrl", s.security.encrypt(plain), s.cookie));
  if (outcome.kind === "reply" && outcome.status === 404) return "absent";
  const label = which === "reset" ? "CtrlReset" : "CtrlReprov";
  return readCtrlStatus(decryptReply(s, "prov-ctrl", outcome, label), `resp${label}`);
}

async function setAndApply(ctx: CheckContext, s: Session, ssid: string, passphrase: string) {
  const set = readConfigStatus(
    await send(ctx, s, "prov-config", setConfigRequest(ssid, passphrase)),
    "respSetConfig",
  );
  if (set !== Status.Success) return { set, apply: undefined };
  const apply = readConfigStatus(await send(ctx, s, "prov-config", applyConfigRequest()), "respApplyConfig");
  return { set, apply };
}

interface Trace {
  /** Distinct states in order, as reported. */
  seen: string[];
  final?: StationStatus;
  /** attempts_remaining values as they changed, in order. */
  attempts: number[];
  elapsedMs: number;
}

/** Polls GetStatus until Connected or a failure, or the budget is spent. */
async function followConnection(ctx: CheckContext, s: Session): Promise<Trace> {
  const trace: Trace = { seen: [], attempts: [], elapsedMs: 0 };
  for (let waited = 0; waited <= CONNECT_BUDGET_MS; waited += POLL_MS) {
    const status = await getStatus(ctx, s);
    if (status.status !== Status.Success) {
      throw new CheckFailure(`GetStatus while connecting: status ${statusName(status.status)}`);
    }
    const line = describeStation(status);
    if (trace.seen[trace.seen.length - 1] !== line) trace.seen.push(line);
    // Each value once: the same attempt is seen by several polls.
    const remaining = status.attemptsRemaining;
    if (remaining !== undefined && trace.attempts[trace.attempts.length - 1] !== remaining) {
      trace.attempts.push(remaining);
    }
    trace.elapsedMs = waited;
    if (
      status.state === "Connected" ||
      status.state === "ConnectionFailed" ||
      status.state === "Disconnected"
    ) {
      trace.final = status;
      return trace;
    }
    await pause(ctx, POLL_MS);
  }
  return trace;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const reprovWhenStarted: Check = {
  id: "ctrl.reprov-when-started",
  title: "CtrlReprov before any credentials: tells whether auto-stop is on",
  release: () =>
    "manager.c wifi_prov_mgr_reset_sm_state_for_reprovision: Success only when the firmware disabled auto-stop, otherwise InternalError (v5.1+)",
  why: "apps send CtrlReprov to provision a device again; it tells what the device will do after success",
  skip: (ctx) =>
    needsProvision(ctx) ?? (ctx.expect.ctrl === false ? "the release has no prov-ctrl" : undefined),
  run: async (ctx) => {
    const s = await establish(ctx);
    try {
      const status = await ctrl(ctx, s, "reprov");
      if (status === "absent") {
        ctx.run.ctrlAbsent = true;
        return ctx.expect.ctrl === "optional"
          ? result("pass", "no prov-ctrl (v5.0)")
          : result("fail", "prov-ctrl is 404");
      }
      if (status === Status.Success) {
        ctx.run.autoStop = false;
        return result(
          "pass",
          "Success: auto-stop is disabled, so the service should keep running after success",
        );
      }
      if (status === Status.InternalError) {
        ctx.run.autoStop = true;
        return result(
          "pass",
          "InternalError: auto-stop is on (the default), so the service should stop after success",
        );
      }
      return result("deviation", `status ${statusName(status)}`);
    } finally {
      s.conn.close();
    }
  },
};

const setConfig: Check = {
  id: "provision.set-config",
  title: "SetConfig stores credentials without changing GetStatus",
  release: () =>
    "handlers.c set_config_handler only copies SSID and passphrase; wifi_config.c answers Success",
  why: "apps read GetStatus right after SetConfig; a device that starts connecting before Apply races the app's Apply",
  skip: needsFailurePath,
  run: async (ctx) => {
    const s = await establish(ctx);
    try {
      const before = await getStatus(ctx, s);
      const set = readConfigStatus(
        await send(
          ctx,
          s,
          "prov-config",
          setConfigRequest(ctx.provision!.ssid, wrongPassphrase(ctx.provision!.passphrase)),
        ),
        "respSetConfig",
      );
      if (set !== Status.Success) return result("fail", `SetConfig: status ${statusName(set)}`);
      const after = await getStatus(ctx, s);
      const did = `GetStatus ${describeStation(before)} before, SetConfig Success, GetStatus ${describeStation(after)} after`;
      return after.state === before.state ? result("pass", did) : result("deviation", did);
    } finally {
      s.conn.close();
    }
  },
};

const wrongPassphraseCheck: Check = {
  id: "provision.wrong-passphrase",
  title: "Apply with a wrong passphrase: Connecting, then ConnectionFailed (AuthError)",
  release: (ctx) =>
    `manager.c: Apply answers Success, the station is Connecting, a wrong passphrase ends as ConnectionFailed + AuthError` +
    (!ctx.expect.attemptFailed
      ? ""
      : "; with wifi_conn_attempts set, each failed try shows attempt_failed + attempts_remaining (v5.4.1+)"),
  why: "apps tell the user 'wrong password' only from AuthError, and wait for a final state: a device that stays Connecting or reports another reason leaves the user guessing",
  skip: needsFailurePath,
  run: async (ctx) => {
    const s = await establish(ctx);
    try {
      const apply = readConfigStatus(
        await send(ctx, s, "prov-config", applyConfigRequest()),
        "respApplyConfig",
      );
      if (apply !== Status.Success) return result("fail", `Apply: status ${statusName(apply)}`);
      // CtrlReset while the attempt runs (state CRED_RECV): judged by ctrl.reset-when-connecting.
      const reset = await ctrl(ctx, s, "reset");
      const afterReset = await getStatus(ctx, s);
      ctx.run.resetWhileConnecting = { reset, state: afterReset };
      let again = "";
      if (reset === Status.Success && afterReset.state !== "Connecting") {
        // The attempt had already failed and the reset left the failed state: fail once more, without reset,
        // so the checks after this one find the device where a client would.
        const retry = await setAndApply(
          ctx,
          s,
          ctx.provision!.ssid,
          wrongPassphrase(ctx.provision!.passphrase),
        );
        if (retry.apply !== Status.Success) {
          return result(
            "fail",
            `after a CtrlReset Success, SetConfig ${statusName(retry.set)} / Apply ${retry.apply === undefined ? "not sent" : statusName(retry.apply)}`,
          );
        }
        again = " (the attempt ended before the CtrlReset; applied once more)";
      }
      const trace = await followConnection(ctx, s);
      const path = `Apply Success${again}; ${trace.seen.join(" → ")}`;
      const final = trace.final;
      if (final === undefined) {
        return result("fail", `${path}: no final state after ${seconds(CONNECT_BUDGET_MS)}`);
      }
      if (final.state === "Connected") {
        return result(
          "fail",
          `${path}: connected with a wrong passphrase`,
          "the device does not use the passphrase it was given",
        );
      }
      ctx.run.failed = true;
      const problems: string[] = [];
      if (final.state !== "ConnectionFailed")
        problems.push(`final state ${final.state}, the release reports ConnectionFailed`);
      if (final.failReason !== "AuthError")
        problems.push(
          `fail_reason ${final.failReason ?? "missing"}, the release maps a wrong passphrase to AuthError`,
        );
      if (trace.attempts.length > 0 && !ctx.expect.attemptFailed) {
        problems.push("attempt_failed is not in the release's wifi_config.proto (v5.4.1+)");
      }
      if (trace.attempts.some((n, i) => i > 0 && n >= trace.attempts[i - 1]!)) {
        problems.push(`attempts_remaining did not count down (${trace.attempts.join(", ")})`);
      }
      const did = `${path} after ${seconds(trace.elapsedMs)}`;
      return problems.length === 0
        ? result("pass", did)
        : result("deviation", `${did}: ${problems.join("; ")}`);
    } finally {
      s.conn.close();
    }
  },
};

const resetWhenConnecting: Check = {
  id: "ctrl.reset-when-connecting",
  title: "CtrlReset during a connection attempt is refused",
  release: () =>
    "manager.c wifi_prov_mgr_reset_sm_state_on_failure: not in the FAIL state ⇒ ESP_ERR_INVALID_STATE ⇒ InternalError (also network_provisioning)",
  why: "a reset in the middle of an attempt would let an app apply new credentials while the old attempt still runs",
  skip: (ctx) =>
    needsFailurePath(ctx) ??
    (ctx.run.resetWhileConnecting === undefined
      ? "provision.wrong-passphrase did not apply credentials"
      : undefined),
  run: async (ctx) => {
    const { reset, state } = ctx.run.resetWhileConnecting!;
    if (reset === "absent") return result("fail", "prov-ctrl is 404");
    const did = `CtrlReset right after Apply: ${statusName(reset)}; GetStatus then ${describeStation(state)}`;
    if (reset === Status.InternalError) return result("pass", did);
    if (state.state !== "Connecting") {
      return result(
        "skipped",
        `${did}: the attempt had already ended, so the connecting state was not caught`,
      );
    }
    return result("deviation", did);
  },
};

const applyAfterFailure: Check = {
  id: "provision.apply-after-failure",
  title: "a second Apply after a failed attempt is refused until CtrlReset",
  release: () =>
    "manager.c wifi_prov_mgr_configure_sta: prov_state >= CRED_RECV ⇒ ESP_FAIL ⇒ Apply answers InternalError",
  why: "apps that retry without CtrlReset learn from the refusal that they must reset first",
  skip: (ctx) =>
    needsFailurePath(ctx) ?? (ctx.run.failed ? undefined : "the device did not reach the failed state"),
  run: async (ctx) => {
    const s = await establish(ctx);
    try {
      const { set, apply } = await setAndApply(
        ctx,
        s,
        ctx.provision!.ssid,
        wrongPassphrase(ctx.provision!.passphrase),
      );
      if (apply === undefined) return result("fail", `SetConfig: status ${statusName(set)}`);
      const did = `SetConfig ${statusName(set)}, Apply ${statusName(apply)}`;
      if (apply === Status.Success) {
        // It started another attempt: let it end so the next checks find the failed state again.
        const trace = await followConnection(ctx, s);
        return result("deviation", `${did} (another attempt: ${trace.seen.join(" → ")})`);
      }
      return result("pass", did);
    } finally {
      s.conn.close();
    }
  },
};

const resetWhenFailed: Check = {
  id: "ctrl.reset-when-failed",
  title: "CtrlReset after a failed attempt answers Success",
  release: () =>
    "wifi_ctrl.c → manager.c wifi_prov_mgr_reset_sm_state_on_failure: in the FAIL state, clears the station config and returns to STARTED (Success)",
  why: "the apps' retry flow (CtrlReset, then SetConfig/Apply with new credentials) depends on it; refused, the user must power-cycle the device",
  skip: (ctx) =>
    needsFailurePath(ctx) ?? (ctx.run.failed ? undefined : "the device did not reach the failed state"),
  run: async (ctx) => {
    const s = await establish(ctx);
    try {
      const reset = await ctrl(ctx, s, "reset");
      if (reset === "absent") return result("fail", "prov-ctrl is 404");
      const after = await getStatus(ctx, s);
      const did = `CtrlReset ${statusName(reset)}; GetStatus then ${describeStation(after)}`;
      if (reset !== Status.Success) {
        ctx.run.stuckFailed = true;
        return result("fail", did);
      }
      return result("pass", did);
    } finally {
      s.conn.close();
    }
  },
};

const connect: Check = {
  id: "provision.connect",
  title: "Apply with the right passphrase: Connecting, then Connected with the IP address",
  release: () =>
    "manager.c: Got IP ⇒ Connected; wifi_config.c fills connected.ip4_addr, ssid, bssid, channel, auth_mode",
  why: "apps show success and the device's address from this reply; Connected without an IP or for another SSID misleads them",
  // Runs after everything else that needs the device, but before scan.out-of-range (which ESP's firmware dies on).
  // The Connected reply makes the release stop about 1 s later: provision.after-success judges that.
  endsDevice: true,
  skip: (ctx) =>
    needsProvision(ctx) ??
    (ctx.run.stuckFailed
      ? "the device refused CtrlReset after the failed attempt, so it cannot take new credentials"
      : undefined),
  run: async (ctx) => {
    const s = await establish(ctx);
    try {
      const { ssid, passphrase } = ctx.provision!;
      const { set, apply } = await setAndApply(ctx, s, ssid, passphrase);
      if (apply === undefined) return result("fail", `SetConfig: status ${statusName(set)}`);
      if (apply !== Status.Success) return result("fail", `SetConfig Success, Apply ${statusName(apply)}`);
      const trace = await followConnection(ctx, s);
      const path = `Apply Success; ${trace.seen.join(" → ")}`;
      const final = trace.final;
      if (final === undefined)
        return result("fail", `${path}: not connected after ${seconds(CONNECT_BUDGET_MS)}`);
      if (final.state !== "Connected") {
        return result(
          "fail",
          `${path}: the right passphrase failed (check --ssid / --passphrase and that the device can reach the network)`,
        );
      }
      ctx.run.connected = true;
      const problems: string[] = [];
      if (!final.ip) problems.push("no ip4_addr");
      if (final.ssid !== undefined && final.ssid !== ssid)
        problems.push(`ssid ${JSON.stringify(final.ssid)}, not ${JSON.stringify(ssid)}`);
      const did = `${path} after ${seconds(trace.elapsedMs)}`;
      return problems.length === 0
        ? result("pass", did)
        : result("fail", `${did}: Connected with ${problems.join(", ")}`);
    } finally {
      s.conn.close();
    }
  },
};

/** Whether anyone answers proto-ver on a new connection. */
async function answers(ctx: CheckContext): Promise<boolean> {
  try {
    const conn = await open(ctx);
    try {
      const outcome = await conn.request(request(ctx, "proto-ver", "---"));
      return outcome.kind === "reply" && outcome.status === 200;
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

const afterSuccess: Check = {
  id: "provision.after-success",
  title: "after reporting Connected the service stops (or, without auto-stop, accepts CtrlReprov)",
  release: (ctx) =>
    ctx.expect.versionStyle === "plain"
      ? "the v4.0 softap_prov example stops its service 30 s after Got IP (app_prov.c)"
      : "handlers.c: the GetStatus that reports Connected calls wifi_prov_mgr_done(); with auto-stop (the default) manager.c stops the service about 1 s later, without it CtrlReprov answers Success",
  why: "a SoftAP left open after provisioning keeps the device's provisioning endpoints reachable by anyone nearby",
  skip: (ctx) => needsProvision(ctx) ?? (ctx.run.connected ? undefined : "the device did not connect"),
  endsDevice: true,
  run: async (ctx) => {
    let stoppedAfter: number | undefined;
    for (let waited = 0; waited <= STOP_BUDGET_MS; waited += POLL_MS) {
      if (!(await answers(ctx))) {
        stoppedAfter = waited;
        break;
      }
      if (ctx.run.autoStop === false) break;
      await pause(ctx, POLL_MS);
    }
    if (stoppedAfter !== undefined) {
      ctx.run.ended = "the device stopped its provisioning service after success, as the release does";
      const did = `stopped serving within ${seconds(stoppedAfter + POLL_MS)} of reporting Connected`;
      return ctx.run.autoStop === false
        ? result("deviation", `${did}, although CtrlReprov said auto-stop is disabled`)
        : result("pass", did);
    }
    if (ctx.expect.versionStyle === "plain") {
      return result(
        "pass",
        `still serving ${seconds(STOP_BUDGET_MS)} after Connected (the v4.0 example waits 30 s)`,
      );
    }
    if (ctx.run.autoStop !== false) {
      return result("deviation", `still serving ${seconds(STOP_BUDGET_MS)} after reporting Connected`);
    }
    const s = await establish(ctx);
    try {
      const reprov = await ctrl(ctx, s, "reprov");
      const did = `still serving (auto-stop disabled); CtrlReprov ${reprov === "absent" ? "404" : statusName(reprov)}`;
      return reprov === Status.Success ? result("pass", did) : result("fail", did);
    } finally {
      s.conn.close();
    }
  },
};

/**
 * In battery order, after the scan paging check and before scan.out-of-range: the failure path first (it
 * needs the device in provisioning), then the success path, which ends provisioning.
 */
export const DESTRUCTIVE_CHECKS: readonly Check[] = [
  reprovWhenStarted,
  setConfig,
  wrongPassphraseCheck,
  resetWhenConnecting,
  applyAfterFailure,
  resetWhenFailed,
  connect,
  afterSuccess,
];
