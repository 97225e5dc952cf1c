/**
 * One call that does what esp_prov does, in its order (protocol.md §9.2) minus its waits: version → session →
 * optional custom data → SetConfig → ApplyConfig → wait for the outcome.
 */
import { UnsupportedError } from "../errors.js";
import { connect, threadOnlyError } from "./client.js";
import type { ConnectOptions, SessionInfo, WaitProgress, WifiConfig } from "./client.js";
import { checkChannel, checkPassphrase, checkSsid, parseBssid } from "./credentials.js";
import type { BackoffOptions } from "./polling.js";
import type { SessionOptions } from "./security-choice.js";
import { matchesProtocolVersion, provisionsWifi } from "./version.js";
import type { DeviceVersion } from "./version.js";
import type { ConnectionOutcome } from "./wifi-types.js";

export type ProvisionStep = "connect" | "session" | "custom-data" | "set-config" | "apply-config" | "wait";

export type ProvisionProgress =
  { type: "step"; step: ProvisionStep; phase: "start" | "done"; detail?: string } | WaitProgress;

export interface ProvisionOptions extends ConnectOptions, SessionOptions, WifiConfig {
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
}

export interface ProvisionResult {
  outcome: ConnectionOutcome;
  version: DeviceVersion;
  session: SessionInfo;
  /** The application endpoint's reply when customData was sent. */
  customDataReply?: Uint8Array;
}

/** Provisions one device. Input problems throw UsageError before any connection is made. */
export async function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  checkSsid(options.ssid);
  checkPassphrase(options.passphrase);
  if (options.bssid !== undefined) parseBssid(options.bssid);
  if (options.channel !== undefined) checkChannel(options.channel);
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
    report({ type: "step", step: "connect", phase: "done", detail: version.protocolVersion ?? version.raw });
    if (
      options.protoVer !== undefined &&
      options.protoVer !== "" &&
      !matchesProtocolVersion(version, options.protoVer)
    ) {
      throw new UnsupportedError(
        `the device speaks protocol ${JSON.stringify(version.protocolVersion ?? version.raw)}, not ${JSON.stringify(options.protoVer)}`,
        { hint: "drop --proto_ver, or check that this is the device you meant" },
      );
    }

    // Refuse a Thread-only device before asking for a session (and before any credential leaves).
    if (!provisionsWifi(version)) throw threadOnlyError(version);

    report({ type: "step", step: "session", phase: "start" });
    const session = await client.establishSession(options);
    report({ type: "step", step: "session", phase: "done", detail: `security ${session.securityVersion}` });

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

    report({ type: "step", step: "set-config", phase: "start" });
    await client.setConfig(options, sig);
    report({ type: "step", step: "set-config", phase: "done" });

    report({ type: "step", step: "apply-config", phase: "start" });
    await client.applyConfig(sig);
    report({ type: "step", step: "apply-config", phase: "done" });

    report({ type: "step", step: "wait", phase: "start" });
    const outcome = await client.waitForConnection({
      timeoutMs: options.waitTimeoutMs ?? 60_000,
      onProgress: report,
      ...sig,
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    report({ type: "step", step: "wait", phase: "done", detail: outcome.state });
    return { outcome, version, session, ...(customDataReply ? { customDataReply } : {}) };
  } finally {
    await client.close().catch(() => undefined);
  }
}
