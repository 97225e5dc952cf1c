/**
 * One call that does what esp_prov does, in its order (esp_prov.py: version → session → custom data →
 * SetConfig → ApplyConfig → status), minus its fixed waits, plus a status read before the credentials so a
 * device that already joined (or whose last attempt failed) is not sent credentials it will refuse.
 * The CLI is this function plus prompts, progress and exit codes: the hooks below are what it plugs in.
 */
import { DeviceStatusError, UnsupportedError, UsageError, WifiProvError } from "../errors.js";
import { connect, threadOnlyError } from "./client.js";
import type { ConnectOptions, ProvisioningClient, SessionInfo, WaitProgress, WifiConfig } from "./client.js";
import { checkChannel, checkPassphrase, checkSsid, parseBssid } from "./credentials.js";
import type { BackoffOptions } from "./polling.js";
import type { SessionOptions } from "./security-choice.js";
import { checkProtocolVersion, provisionsWifi } from "./version.js";
import type { DeviceVersion } from "./version.js";
import type { ConnectionOutcome, ScanEntry, WifiStatus } from "./wifi-types.js";

export type ProvisionStep =
  | "connect"
  | "session"
  | "status"
  | "reset"
  | "custom-data"
  | "choose-network"
  | "set-config"
  | "apply-config"
  | "wait";

export type ProvisionProgress =
  | {
      type: "step";
      step: ProvisionStep;
      phase: "start" | "done";
      detail?: string;
      /** On connect/done: what the device announced. */
      version?: DeviceVersion;
      /** On session/done: the session established. */
      session?: SessionInfo;
      /** On status/done: what the device reported before anything was sent. */
      status?: WifiStatus;
    }
  | WaitProgress;

export interface ProvisionOptions extends ConnectOptions, SessionOptions, Partial<WifiConfig> {
  /** esp_prov's --proto_ver: refuse devices whose version string / prov.ver differs (case-insensitive). */
  protoVer?: string;
  /** Bytes or text for an application endpoint before the credentials (esp_prov's --custom_data). */
  customData?: Uint8Array | string;
  /** Endpoint for customData. Default "custom-data" (the wifi_prov_mgr example's). */
  customEndpoint?: string;
  /** Limit for waiting on the connection outcome. Default 60 000 ms. */
  waitTimeoutMs?: number;
  backoff?: BackoffOptions;
  onProgress?: (event: ProvisionProgress) => void;
  /**
   * Completes the session options once the device's version is known (e.g. prompts for a PoP the chosen
   * security level needs). Default: the options as given.
   */
  completeSession?: (version: DeviceVersion, options: SessionOptions) => Promise<SessionOptions>;
  /**
   * Picks the network, or asks for its passphrase, when `ssid` and `passphrase` are not both given (e.g. scan
   * and ask). Required then. What it adds is checked like `ssid`/`passphrase` would have been.
   */
  chooseNetwork?: (context: {
    version: DeviceVersion;
    /** The ssid or passphrase already given (and checked); the hook supplies the rest. */
    given: Partial<WifiConfig>;
    scan: () => Promise<ScanEntry[]>;
    signal?: AbortSignal;
  }) => Promise<WifiConfig>;
  /**
   * Read GetStatus before sending credentials: a device that already joined is reported (`alreadyConnected`)
   * and sent nothing; one whose last attempt failed is reset first (CtrlReset) when it has prov-ctrl, since
   * ESP-IDF v5.x refuses ApplyConfig in that state until reset. Default false: esp_prov's exact request
   * sequence. The CLI turns it on.
   */
  statusFirst?: boolean;
}

export interface ProvisionResult {
  outcome: ConnectionOutcome;
  version: DeviceVersion;
  session: SessionInfo;
  /** The network the credentials were for (or that the device had already joined). */
  ssid: string | Uint8Array;
  /** The application endpoint's reply when customData was sent. */
  customDataReply?: Uint8Array;
  /** The device had already joined a network; nothing was sent. */
  alreadyConnected?: boolean;
  /** The device's previous attempt had failed; it was reset (CtrlReset) before the new credentials. */
  resetFirst?: boolean;
}

function checkConfig(config: Partial<WifiConfig>): void {
  if (config.ssid !== undefined) checkSsid(config.ssid);
  if (config.passphrase !== undefined) checkPassphrase(config.passphrase);
  if (config.bssid !== undefined) parseBssid(config.bssid);
  if (config.channel !== undefined) checkChannel(config.channel);
}

/** Provisions one device. Input problems throw UsageError before any connection is made. */
export async function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  checkConfig(options);
  const complete = options.ssid !== undefined && options.passphrase !== undefined;
  if (!complete && options.chooseNetwork === undefined) {
    if (options.ssid === undefined) checkSsid(""); // the usual "the SSID is empty" UsageError
    throw new UsageError("a passphrase is needed with the SSID", {
      hint: "pass the network's passphrase, or '' for an open network",
    });
  }
  const report = options.onProgress ?? (() => undefined);
  const signal = options.signal;
  const sig = signal ? { signal } : {};

  report({
    type: "step",
    step: "connect",
    phase: "start",
    detail: options.transport?.target ?? options.serviceName,
  });
  const client = await connect(options);
  try {
    const version = await client.version();
    report({
      type: "step",
      step: "connect",
      phase: "done",
      detail: version.protocolVersion ?? version.raw,
      version,
    });
    checkProtocolVersion(version, options.protoVer);
    // Refuse a Thread-only device before asking for a session (and before any credential leaves).
    if (!provisionsWifi(version)) throw threadOnlyError(version);

    const sessionOptions = options.completeSession
      ? await options.completeSession(version, sessionOptionsOf(options))
      : options;
    report({ type: "step", step: "session", phase: "start" });
    const session = await client.establishSession(sessionOptions);
    report({
      type: "step",
      step: "session",
      phase: "done",
      detail: `security ${session.securityVersion}`,
      session,
    });

    let resetFirst = false;
    if (options.statusFirst === true) {
      report({ type: "step", step: "status", phase: "start" });
      const status = await client.getStatus(sig);
      report({ type: "step", step: "status", phase: "done", detail: status.state, status });
      if (status.state === "connected") {
        const { state: _s, ...info } = status;
        return {
          outcome: { state: "connected", ...info },
          version,
          session,
          ssid: info.ssid,
          alreadyConnected: true,
        };
      }
      if (status.state === "failed" && version.format === "json") {
        resetFirst = await resetAfterFailure(client, status.reason, report, sig);
      }
    }

    let customDataReply: Uint8Array | undefined;
    if (options.customData !== undefined && options.customData.length > 0) {
      report({ type: "step", step: "custom-data", phase: "start" });
      customDataReply = await client.sendData(
        options.customEndpoint ?? "custom-data",
        options.customData,
        sig,
      );
      report({ type: "step", step: "custom-data", phase: "done" });
    }

    let config: WifiConfig;
    if (complete) {
      config = options as WifiConfig;
    } else {
      report({ type: "step", step: "choose-network", phase: "start" });
      const given: Partial<WifiConfig> = {
        ...(options.ssid !== undefined ? { ssid: options.ssid } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      };
      const chosen = await options.chooseNetwork!({ version, given, scan: () => client.scan(sig), ...sig });
      // What was given was checked before connecting; only what the hook added is checked here.
      checkConfig({
        ...(given.ssid === undefined ? { ssid: chosen.ssid } : {}),
        ...(given.passphrase === undefined ? { passphrase: chosen.passphrase } : {}),
        ...(chosen.bssid !== undefined ? { bssid: chosen.bssid } : {}),
        ...(chosen.channel !== undefined ? { channel: chosen.channel } : {}),
      });
      config = { ...chosen, ...given } as WifiConfig;
      report({ type: "step", step: "choose-network", phase: "done" });
    }

    report({ type: "step", step: "set-config", phase: "start" });
    await client.setConfig(config, sig);
    report({ type: "step", step: "set-config", phase: "done" });

    report({ type: "step", step: "apply-config", phase: "start" });
    try {
      await client.applyConfig(sig);
    } catch (err) {
      throw await explainRefusedApply(client, err, sig);
    }
    report({ type: "step", step: "apply-config", phase: "done" });

    report({ type: "step", step: "wait", phase: "start" });
    const outcome = await client.waitForConnection({
      timeoutMs: options.waitTimeoutMs ?? 60_000,
      onProgress: report,
      ...sig,
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    report({ type: "step", step: "wait", phase: "done", detail: outcome.state });
    return {
      outcome,
      version,
      session,
      ssid: config.ssid,
      ...(customDataReply ? { customDataReply } : {}),
      ...(resetFirst ? { resetFirst } : {}),
    };
  } finally {
    await client.close().catch(() => undefined);
  }
}

function sessionOptionsOf(o: SessionOptions): SessionOptions {
  const { secVer, patchVersion, pop, username, password } = o;
  return Object.fromEntries(
    Object.entries({ secVer, patchVersion, pop, username, password }).filter(([, v]) => v !== undefined),
  ) as SessionOptions;
}

/**
 * ESP-IDF v5.x (manager.c) refuses new credentials after a failed attempt until CtrlReset (wifi_ctrl.c,
 * v5.1+); a device without prov-ctrl answers 404 or closes, and only a restart helps.
 */
async function resetAfterFailure(
  client: ProvisioningClient,
  reason: string,
  report: (event: ProvisionProgress) => void,
  sig: { signal?: AbortSignal },
): Promise<boolean> {
  report({ type: "step", step: "reset", phase: "start", detail: reason });
  try {
    await client.reset(sig);
  } catch (err) {
    throw new UnsupportedError(
      `the device's last attempt to join failed (${reason}) and it did not accept a reset (${(err as Error).message})`,
      { cause: err, hint: "restart the device, then provision it again" },
    );
  }
  report({ type: "step", step: "reset", phase: "done" });
  return true;
}

/** An ApplyConfig refusal says only "InternalError"; the status says why. */
async function explainRefusedApply(
  client: ProvisioningClient,
  err: unknown,
  sig: { signal?: AbortSignal },
): Promise<unknown> {
  if (!(err instanceof DeviceStatusError)) return err;
  let status: WifiStatus;
  try {
    status = await client.getStatus(sig);
  } catch {
    return err;
  }
  if (status.state === "connecting") {
    return new DeviceStatusError(
      "the device refused the new credentials: it is still connecting with the ones it received before",
      err.status,
      {
        cause: err,
        hint: "wait until that attempt ends (its status says when), then provision again",
      },
    );
  }
  if (status.state === "connected") {
    return new DeviceStatusError(
      `the device refused the new credentials: it has already joined ${status.ssid} (IP ${status.ip})`,
      err.status,
      { cause: err },
    );
  }
  return err instanceof WifiProvError ? err : new DeviceStatusError(String(err), 0);
}
