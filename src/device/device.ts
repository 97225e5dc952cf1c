/**
 * startDevice(): a whole provisioning device, wired store → radio → security → protocomm → HTTP server, the
 * way the softap_prov / wifi_prov_mgr firmware boots (protocol.md §8.3, §8.4, §8.8, §8.10): a provisioned
 * device joins its network; otherwise it starts the SoftAP and the provisioning service, and stops them
 * after success.
 */
import { UsageError } from "../errors.js";
import { childLogger, defaultLogger, showSecret } from "../logger.js";
import type { Logger } from "../logger.js";
import { HandshakeGuard, Protocomm } from "../protocomm/index.js";
import type { AppVersionInfo, EndpointHandler, HandshakeGuardOptions } from "../protocomm/index.js";
import { createDeviceSecurity, generateSec2Credentials } from "../security/index.js";
import type { DeviceSecurity } from "../security/index.js";
import { DeviceHttpServer } from "../transport/index.js";
import { connectableAddress, formatHostPort } from "../transport/host-port.js";
import { SimulatedRadio } from "../wifi/simulated-radio.js";
import type { SimulatedEnvironment } from "../wifi/environment.js";
import type { Radio, StationConfig } from "../wifi/radio.js";
import { compatRules } from "./compat.js";
import type { CompatProfile, CompatRules } from "./compat.js";
import { createConfigHandler } from "./config-handler.js";
import { createCtrlHandler } from "./ctrl-handler.js";
import { createCustomDataHandler, CUSTOM_DATA_ENDPOINT } from "./custom-data-handler.js";
import { checkSoftApPassword, qrPayload, randomMac, softApSsidFromMac } from "./identity.js";
import { ProvisioningManager } from "./manager.js";
import { FileStateStore } from "./file-store.js";
import { MemoryStateStore } from "./memory-store.js";
import { createScanHandler } from "./scan-handler.js";
import { StationKeeper } from "./station.js";
import type { StateStore } from "./store.js";
import { versionReply } from "./version-reply.js";

export type DeviceSecurityChoice =
  | { version: 0 }
  | { version: 1; pop?: string }
  | {
      version: 2;
      /** SRP username, default "wifiprov" (the wifi_prov_mgr example's dev-mode credentials). */
      username?: string;
      /** SRP password, default "abcd1234"; used to derive salt/verifier unless both are given. */
      password?: string;
      salt?: Uint8Array;
      verifier?: Uint8Array;
      /** Default from the compat profile: 1 for idf-v5.5, 0 for idf-v5.0. */
      patchVersion?: 0 | 1;
    };

export interface DeviceOptions {
  /** Where the HTTP server listens. Default 127.0.0.1:8080 (a real ESP32: 192.168.4.1:80). */
  listen?: { host: string; port: number };
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
  /** Which firmware to behave like. Default "idf-v5.5". */
  compat?: CompatProfile;
  /** Persistent state. Default: a FileStateStore in `stateDir` when given, else a MemoryStateStore. */
  store?: StateStore;
  stateDir?: string;
  /** Default: a SimulatedRadio with `environment` (default networks include myssid/mypassword). */
  radio?: Radio;
  environment?: SimulatedEnvironment;
  /** Multiplies every delay of the device and of the simulated radio. Default 1. */
  timeScale?: number;
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
  /** Application endpoints (v5.x). Default { "custom-data": the wifi_prov_mgr example's handler }. */
  customEndpoints?: Record<string, EndpointHandler>;
  /** Application entries printed before "prov" in the proto-ver JSON (wifi_prov_mgr_set_app_info). */
  appInfo?: Record<string, AppVersionInfo>;
  logger?: Logger;
  /** Print PoP, passwords and passphrases in log lines instead of ********. */
  logSecrets?: boolean;
  /**
   * Brute-force limit on prov-session. Default: a HandshakeGuard with its defaults (5 failed handshakes in a
   * row, then refusals for 1 s doubling up to 60 s), logged. Options build one with the device's logger;
   * false = none, like ESP-IDF.
   */
  handshakeGuard?: HandshakeGuard | HandshakeGuardOptions | false;
}

export type RunningDeviceState = "provisioning" | "station" | "stopped";

export interface RunningDevice {
  /** "host:port" for esp_prov's --service_name. */
  serviceName: string;
  address: { host: string; port: number };
  softApSsid: string;
  /** The QR payload of the v5.5 example (§8.8). Contains the PoP: show it to the user, never log it. */
  qrPayload: string;
  state(): RunningDeviceState;
  /**
   * "provisioned": the station got an IP with provisioned credentials (or started provisioned and joined).
   * "stopped": the provisioning service has stopped (end of provisioning, §8.4) or the device was closed.
   */
  waitFor(event: "provisioned" | "stopped"): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_LISTEN = { host: "127.0.0.1", port: 8080 };
const DEFAULT_POP = "abcd1234";
const DEFAULT_SEC2_USERNAME = "wifiprov";
const DEFAULT_SEC2_PASSWORD = "abcd1234";
const PROVISIONING_ENDPOINTS = ["prov-ctrl", "prov-scan", "prov-config", "prov-session", "proto-ver"];

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

interface SecuritySetup {
  security: DeviceSecurity;
  hasPop: boolean;
  qr: { username?: string; pop?: string };
}

function setUpSecurity(
  choice: DeviceSecurityChoice,
  rules: CompatRules,
  legacySecurity: boolean,
): SecuritySetup {
  if (choice.version !== 2 && rules.legacySecurityOptIn && !legacySecurity) {
    // network_provisioning's manager.c returns ESP_ERR_NOT_SUPPORTED for a scheme the build left out.
    throw new UsageError(
      `security ${choice.version} is not built into ${rules.profile} firmware by default`,
      {
        hint: `use security 2, or opt in as the firmware's Kconfig would (wifiprov device --sec-ver ${choice.version} --legacy-security)`,
      },
    );
  }
  switch (choice.version) {
    case 0:
      return { security: createDeviceSecurity({ version: 0 }), hasPop: false, qr: {} };
    case 1: {
      const pop = choice.pop ?? "";
      return {
        security: createDeviceSecurity({ version: 1, pop, restartOnCmd0: rules.restartOnCmd0 }),
        hasPop: pop !== "",
        qr: pop === "" ? {} : { pop },
      };
    }
    case 2: {
      if (!rules.sec2) {
        throw new UsageError(`security 2 does not exist in ${rules.profile}`, {
          hint: "use --sec-ver 0 or 1 with --compat idf-v4.0, or a v5.x profile for sec2",
        });
      }
      const username = choice.username ?? DEFAULT_SEC2_USERNAME;
      const password = choice.password ?? DEFAULT_SEC2_PASSWORD;
      if ((choice.salt === undefined) !== (choice.verifier === undefined)) {
        throw new UsageError("sec2 salt and verifier must be given together", {
          hint: "pass both --sec2-salt and --sec2-verifier, or neither to derive them from the password",
        });
      }
      const { salt, verifier } =
        choice.salt !== undefined && choice.verifier !== undefined
          ? { salt: choice.salt, verifier: choice.verifier }
          : generateSec2Credentials(username, password);
      const patchVersion = choice.patchVersion ?? rules.sec2PatchVersion;
      return {
        security: createDeviceSecurity({
          version: 2,
          patchVersion,
          salt,
          verifier,
          restartOnCmd0: rules.restartOnCmd0,
        }),
        hasPop: true,
        // With given salt/verifier the password may be unknown; the QR then carries only the username.
        qr:
          choice.salt !== undefined && choice.password === undefined
            ? { username }
            : { username, pop: password },
      };
    }
  }
}

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

export async function startDevice(options: DeviceOptions = {}): Promise<RunningDevice> {
  const rules = compatRules(options.compat);
  const logger = options.logger ?? defaultLogger;
  const logSecrets = options.logSecrets ?? false;
  const appLog = childLogger(logger, "app");
  const provLog = childLogger(logger, "app_prov");
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale < 0) {
    throw new UsageError(`timeScale must be a finite number ≥ 0, got ${timeScale}`);
  }
  const connAttempts = options.connAttempts ?? 5;
  if (!Number.isInteger(connAttempts) || connAttempts < 0) {
    throw new UsageError(`connAttempts must be a whole number ≥ 0, got ${connAttempts}`);
  }
  // Security is checked before anything starts, so a bad choice leaves nothing running.
  const securityChoice: DeviceSecurityChoice =
    options.security ?? (rules.legacySecurityOptIn ? { version: 2 } : { version: 1, pop: DEFAULT_POP });
  const securitySetup = setUpSecurity(securityChoice, rules, options.legacySecurity ?? false);
  const softApPassword = options.softAp?.password ?? "PROV_PASS";
  checkSoftApPassword(softApPassword);

  const store: StateStore =
    options.store ??
    (options.stateDir !== undefined
      ? new FileStateStore({ dir: options.stateDir, logger })
      : new MemoryStateStore());
  if (options.resetProvisioning) await store.eraseCredentials();
  let stored = await store.load();
  if (stored.mac === undefined) {
    stored = { ...stored, mac: randomMac() };
    await store.save(stored);
  }

  const ownsRadio = options.radio === undefined;
  const radio =
    options.radio ??
    new SimulatedRadio({
      mac: stored.mac!,
      ...(options.environment ? { environment: options.environment } : {}),
      timeScale,
      logger,
    });
  const mac = await radio.macAddress();
  const softApSsid = options.softAp?.ssid ?? softApSsidFromMac(mac);
  const listen = options.listen ?? DEFAULT_LISTEN;

  const provisioned = new Latch();
  const stopped = new Latch();
  let state: RunningDeviceState = "provisioning";
  let station: StationKeeper | undefined;
  let address = { host: listen.host, port: listen.port };
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
    const protocomm = new Protocomm({
      security: securitySetup.security,
      logger,
      ...(options.handshakeGuard !== false
        ? {
            handshakeGuard:
              options.handshakeGuard instanceof HandshakeGuard
                ? options.handshakeGuard
                : new HandshakeGuard({ logger: childLogger(logger, "protocomm"), ...options.handshakeGuard }),
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
        ...(options.appInfo ? { apps: options.appInfo } : {}),
      }),
    );
    protocomm.setSecurityEndpoint("prov-session");
    const manager = new ProvisioningManager({
      radio,
      store,
      compat: rules.profile,
      connAttempts,
      autoStopMs: options.autoStopMs ?? 1000,
      timeScale,
      logger,
      logSecrets,
    });
    protocomm.addEndpoint("prov-config", createConfigHandler(manager));
    const endpoints = [...PROVISIONING_ENDPOINTS];
    if (rules.scan) protocomm.addEndpoint("prov-scan", createScanHandler(manager));
    if (rules.ctrl) protocomm.addEndpoint("prov-ctrl", createCtrlHandler(manager));
    if (rules.customEndpoints) {
      const custom = options.customEndpoints ?? { [CUSTOM_DATA_ENDPOINT]: createCustomDataHandler(logger) };
      for (const [name, handler] of Object.entries(custom)) {
        if (endpoints.includes(name)) {
          throw new UsageError(`custom endpoint name ${name} is taken by the provisioning service`);
        }
        protocomm.addEndpoint(name, handler);
        endpoints.push(name);
      }
    }
    const server = new DeviceHttpServer({
      protocomm,
      cookies: rules.cookies,
      maxHeaderBytes: rules.maxHeaderBytes,
      logger,
    });
    await radio.startSoftAp({ ssid: softApSsid, password: softApPassword, maxStations: 5 });
    try {
      address = await server.listen(listen);
    } catch (cause) {
      await radio.stopSoftAp().catch(() => {});
      if (ownsRadio) await radio.close();
      throw cause;
    }

    let stopping: Promise<void> | undefined;
    stopService = (then?: StationConfig) => {
      // End of provisioning (§8.4): endpoints removed, HTTP server stopped, session destroyed, SoftAP off.
      stopping ??= (async () => {
        provLog.info("Stopping provisioning");
        manager.stop();
        for (const name of endpoints) protocomm.removeEndpoint(name);
        await server.close();
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
  }

  let closing: Promise<void> | undefined;
  return {
    // What a client can connect to: a wildcard listen address is not a destination, v6 needs brackets.
    serviceName: formatHostPort(connectableAddress(address)),
    address,
    softApSsid,
    qrPayload: qrPayload({ name: softApSsid, ...securitySetup.qr }),
    state: () => state,
    waitFor: (event) => (event === "provisioned" ? provisioned.promise : stopped.promise),
    close: () => {
      closing ??= (async () => {
        if (stopService) await stopService();
        await station?.stop();
        if (ownsRadio) await radio.close();
        state = "stopped";
        stopped.fire();
      })();
      return closing;
    },
  };
}
