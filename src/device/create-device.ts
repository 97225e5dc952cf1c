/**
 * createDevice(): a whole provisioning device from its parts — radio, store, security, transports, clock,
 * logger — the way the softap_prov / wifi_prov_mgr firmware boots (protocol.md §8.3, §8.4, §8.8, §8.10): a
 * provisioned device joins its network; otherwise it starts the SoftAP and the provisioning service, and
 * stops them after success. It knows only interfaces: which radio, store and transport is the composition
 * root's choice (startVirtualDevice(), the CLI's `--radio`).
 */
import { realClock } from "../clock.js";
import type { Clock } from "../clock.js";
import { UsageError } from "../errors.js";
import { childLogger, defaultLogger, showSecret } from "../logger.js";
import type { Logger } from "../logger.js";
import { HandshakeGuard, Protocomm } from "../protocomm/index.js";
import type { AppVersionInfo, EndpointHandler, HandshakeGuardOptions } from "../protocomm/index.js";
import type { Radio, StationConfig } from "../wifi/radio.js";
import { compatRules } from "./compat.js";
import type { CompatProfile } from "./compat.js";
import { createConfigHandler } from "./config-handler.js";
import { createCtrlHandler } from "./ctrl-handler.js";
import { createCustomDataHandler, CUSTOM_DATA_ENDPOINT } from "./custom-data-handler.js";
import { DEFAULT_POP, setUpSecurity } from "./device-security.js";
import type { DeviceSecurityChoice } from "./device-security.js";
import { checkSoftApPassword, qrPayload, softApSsidFromMac } from "./identity.js";
import { ProvisioningManager } from "./manager.js";
import type { ProvisioningTransport } from "./provisioning-transport.js";
import type { SessionPolicy } from "../transport/index.js";
import { createScanHandler } from "./scan-handler.js";
import { StationKeeper } from "./station.js";
import type { StateStore } from "./store.js";
import { versionReply } from "./version-reply.js";

export interface DeviceParts {
  /** The Wi-Fi hardware (or its simulation): SoftAP, scan, station. */
  radio: Radio;
  /** Where the credentials live between boots (the ESP32's NVS). */
  store: StateStore;
  /** How clients reach the provisioning service; the first one's address is `serviceName`. */
  transports: readonly ProvisioningTransport[];
  /**
   * Default sec1 with PoP "abcd1234" (the softap_prov example's Kconfig defaults); sec2 (wifiprov/abcd1234)
   * for idf-v6.0, whose protocomm Kconfig builds only sec2 by default.
   */
  security?: DeviceSecurityChoice;
  /**
   * idf-v6.0: the firmware was built with sec0/sec1 support (CONFIG_ESP_PROTOCOMM_SUPPORT_SECURITY_VERSION_0/1,
   * off by default there). Without it security 0 and 1 are refused as the firmware would. Default false.
   */
  legacySecurity?: boolean;
  /** The time every delay runs on (apply, auto-stop, reconnects, lockouts, timeouts). Default: real time. */
  clock?: Clock;
  logger?: Logger;
  /** Which firmware to behave like. Default "idf-v5.5". */
  compat?: CompatProfile;
  /** Default SSID PROV_ + the last 3 MAC bytes in uppercase hex; default password "PROV_PASS". */
  softAp?: { ssid?: string; password?: string };
  /** Connection attempts during provisioning and reconnects in station mode. Default 5. */
  connAttempts?: number;
  /**
   * Stop the service this long after a GetStatus reported Connected (v5.5 cleanup delay, default 1000 ms),
   * and 30 s after Got IP without polling; false = keep running after success (CtrlReprov allowed).
   */
  autoStopMs?: number | false;
  /** Erase the stored credentials before starting (EXAMPLE_RESET_PROVISIONED). */
  resetProvisioning?: boolean;
  /**
   * Credentials an earlier client sent, applied once the service runs as if received over prov-config (they
   * reach flash at Apply, as ESP-IDF stores them): a network that fails leaves the device in the failed state,
   * waiting for a reset, as the installer before left it (the virtual fleet's `--mix stale`). Ignored when the
   * device starts provisioned.
   */
  previousAttempt?: { ssid: string; passphrase: string };
  /** Application endpoints (v5.x). Default { "custom-data": the wifi_prov_mgr example's handler }. */
  customEndpoints?: Record<string, EndpointHandler>;
  /** Application entries printed before "prov" in the proto-ver JSON (wifi_prov_mgr_set_app_info). */
  appInfo?: Record<string, AppVersionInfo>;
  /** Print PoP, passwords and passphrases in log lines instead of ********. */
  logSecrets?: boolean;
  /**
   * Brute-force limit on prov-session. Default: a HandshakeGuard with its defaults (5 failed handshakes in a
   * row, then refusals for 1 s doubling up to 60 s), logged. Options build one with the device's logger and
   * clock; false = none, like ESP-IDF.
   */
  handshakeGuard?: HandshakeGuard | HandshakeGuardOptions | false;
  /**
   * "esp" (default): ESP-IDF's session rules exactly (one connection; any request outside the session replaces
   * it). "guarded": a session is replaced only when another client completes a handshake, with several
   * connections, a few per peer (see SessionPolicy in src/transport). The CLI uses "guarded" on a real radio.
   */
  sessionPolicy?: SessionPolicy;
}

export type RunningDeviceState = "provisioning" | "station" | "stopped";

export interface RunningDevice {
  /** How a client reaches it: "host:port" for esp_prov's --service_name (the first transport's). */
  serviceName: string;
  softApSsid: string;
  /** The QR payload of the v5.5 example (§8.8). Contains the PoP: show it to the user, never log it. */
  qrPayload: string;
  state(): RunningDeviceState;
  /**
   * "provisioned": the station got an IP with provisioned credentials (or started provisioned and joined).
   * "stopped": the provisioning service has stopped (end of provisioning, §8.4) or the device was closed.
   * "failed": an attempt to join ended in failure (ConnectionFailed is what GetStatus reports now).
   */
  waitFor(event: "provisioned" | "stopped" | "failed"): Promise<void>;
  /** Stops the service and the station. The radio and store are the caller's: it closes neither. */
  close(): Promise<void>;
}

const PROVISIONING_ENDPOINTS = ["prov-ctrl", "prov-scan", "prov-config", "prov-session", "proto-ver"];

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

class Latch {
  done = false;
  readonly promise: Promise<void>;
  #resolve!: () => void;
  constructor() {
    this.promise = new Promise((resolve) => (this.#resolve = resolve));
  }
  fire(): void {
    this.done = true;
    this.#resolve();
  }
}

export async function createDevice(parts: DeviceParts): Promise<RunningDevice> {
  const { radio, store, transports } = parts;
  if (transports.length === 0) {
    throw new UsageError("a device needs at least one transport for clients to reach it");
  }
  const rules = compatRules(parts.compat);
  const clock = parts.clock ?? realClock;
  const logger = parts.logger ?? defaultLogger;
  const logSecrets = parts.logSecrets ?? false;
  const appLog = childLogger(logger, "app");
  const provLog = childLogger(logger, "app_prov");
  const connAttempts = parts.connAttempts ?? 5;
  if (!Number.isInteger(connAttempts) || connAttempts < 0) {
    throw new UsageError(`connAttempts must be a whole number ≥ 0, got ${connAttempts}`);
  }
  // Security is checked before anything starts, so a bad choice leaves nothing running.
  const securityChoice: DeviceSecurityChoice =
    parts.security ?? (rules.legacySecurityOptIn ? { version: 2 } : { version: 1, pop: DEFAULT_POP });
  const securitySetup = setUpSecurity(securityChoice, rules, parts.legacySecurity ?? false);
  const softApPassword = parts.softAp?.password ?? "PROV_PASS";
  checkSoftApPassword(softApPassword);

  if (parts.resetProvisioning) await store.eraseCredentials();
  const stored = await store.load();
  const softApSsid = parts.softAp?.ssid ?? softApSsidFromMac(await radio.macAddress());

  const provisioned = new Latch();
  const stopped = new Latch();
  const failed = new Latch();
  let state: RunningDeviceState = "provisioning";
  let station: StationKeeper | undefined;
  let serviceName = "";
  let stopService: ((then?: StationConfig) => Promise<void>) | undefined;

  const becomeStation = (config: StationConfig, connectNow: boolean) => {
    station = new StationKeeper({
      radio,
      config,
      maxRetries: connAttempts,
      logger,
      onConnected: () => provisioned.fire(),
    });
    station.start(connectNow);
    state = "station";
  };

  // A stored, non-empty SSID means provisioned: join it instead of provisioning (§8.3).
  const credentials = stored.credentials;
  if (credentials !== undefined && credentials.ssid.length > 0) {
    provLog.info(`Found ssid ${text(credentials.ssid)}`);
    provLog.info(`Found password ${showSecret(text(credentials.passphrase), logSecrets)}`);
    appLog.info("Starting WiFi station");
    becomeStation({ ssid: credentials.ssid, passphrase: credentials.passphrase }, true);
    stopped.fire();
  } else {
    appLog.info("Starting WiFi SoftAP provisioning");
    const guardOption = parts.handshakeGuard;
    const sessionPolicy = parts.sessionPolicy ?? "esp";
    const protocomm = new Protocomm({
      security: securitySetup.security,
      logger,
      policy: sessionPolicy,
      ...(guardOption !== false
        ? {
            handshakeGuard:
              guardOption instanceof HandshakeGuard
                ? guardOption
                : new HandshakeGuard({ logger: childLogger(logger, "protocomm"), clock, ...guardOption }),
          }
        : {}),
    });
    protocomm.setVersionEndpoint(
      "proto-ver",
      versionReply({
        rules,
        securityVersion: securitySetup.security.version,
        securityPatchVersion: securitySetup.security.patchVersion,
        hasPop: securitySetup.hasPop,
        ...(parts.appInfo ? { apps: parts.appInfo } : {}),
      }),
    );
    protocomm.setSecurityEndpoint("prov-session");
    const manager = new ProvisioningManager({
      radio,
      store,
      compat: rules.profile,
      connAttempts,
      autoStopMs: parts.autoStopMs ?? 1000,
      clock,
      logger,
      logSecrets,
    });
    protocomm.addEndpoint("prov-config", createConfigHandler(manager));
    const endpoints = [...PROVISIONING_ENDPOINTS];
    if (rules.scan) protocomm.addEndpoint("prov-scan", createScanHandler(manager));
    if (rules.ctrl) protocomm.addEndpoint("prov-ctrl", createCtrlHandler(manager));
    if (rules.customEndpoints) {
      const custom = parts.customEndpoints ?? { [CUSTOM_DATA_ENDPOINT]: createCustomDataHandler(logger) };
      for (const [name, handler] of Object.entries(custom)) {
        if (endpoints.includes(name)) {
          throw new UsageError(`custom endpoint name ${name} is taken by the provisioning service`);
        }
        protocomm.addEndpoint(name, handler);
        endpoints.push(name);
      }
    }
    await radio.startSoftAp({ ssid: softApSsid, password: softApPassword, maxStations: 5 });
    const started: ProvisioningTransport[] = [];
    try {
      for (const transport of transports) {
        const reach = await transport.start({
          protocomm,
          rules,
          logger,
          sessionPolicy,
          provisioned: () => provisioned.done,
          deviceName: softApSsid,
        });
        started.push(transport);
        if (serviceName === "") serviceName = reach.serviceName;
      }
    } catch (cause) {
      for (const transport of started) await transport.stop().catch(() => {});
      manager.stop();
      await radio.stopSoftAp().catch(() => {});
      throw cause;
    }

    let stopping: Promise<void> | undefined;
    stopService = (then?: StationConfig) => {
      // End of provisioning (§8.4): endpoints removed, transports stopped, session destroyed, SoftAP off.
      stopping ??= (async () => {
        provLog.info("Stopping provisioning");
        manager.stop();
        for (const name of endpoints) protocomm.removeEndpoint(name);
        for (const transport of transports) await transport.stop();
        protocomm.close();
        await radio.stopSoftAp().catch((cause: unknown) => {
          provLog.warn("Failed to stop SoftAP", { error: String(cause) });
        });
        provLog.info("Provisioning stopped");
        // The radio stays joined; from now on the device is a plain station (reconnects on loss).
        if (then !== undefined && state === "provisioning") becomeStation(then, false);
        stopped.fire();
      })();
      return stopping;
    };

    manager.onEvent((event) => {
      if (event.type === "cred-success") provisioned.fire();
      if (event.type === "cred-fail") failed.fire();
      if (event.type === "stop-requested") {
        void stopService!(manager.activeConfig);
      }
    });
    provLog.info(
      `SoftAP Provisioning started with SSID '${softApSsid}', Password '${showSecret(softApPassword, logSecrets)}'`,
    );
    if (rules.versionStyle !== "legacy-v0.1") {
      provLog.info(`Provisioning started with service name : ${softApSsid} `);
    }
    const previous = parts.previousAttempt;
    if (previous !== undefined) {
      const bytes = (t: string) => new TextEncoder().encode(t);
      manager.setConfig({
        ssid: bytes(previous.ssid),
        passphrase: bytes(previous.passphrase),
        bssid: new Uint8Array(0),
        channel: 0,
      });
      await manager.applyConfig();
    }
  }

  let closing: Promise<void> | undefined;
  return {
    serviceName,
    softApSsid,
    qrPayload: qrPayload({ name: softApSsid, ...securitySetup.qr }),
    state: () => state,
    waitFor: (event) =>
      event === "provisioned" ? provisioned.promise : event === "failed" ? failed.promise : stopped.promise,
    close: () => {
      closing ??= (async () => {
        if (stopService) await stopService();
        await station?.stop();
        state = "stopped";
        stopped.fire();
      })();
      return closing;
    },
  };
}
