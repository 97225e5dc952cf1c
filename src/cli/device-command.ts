/**
 * `wifiprov device`: runs a virtual ESP32 provisioning device (SoftAP + HTTP service on a simulated radio),
 * and `wifiprov device erase` (the flash erase). Only commander and the small compat table are loaded at
 * registration; the device stack, pino and uqr are imported when the action runs, so `wifiprov --help` stays fast.
 */
import { Option } from "commander";
import type { Command } from "commander";
import { COMPAT_PROFILES, compatRules } from "../device/compat.js";
import type { RunningVirtualDevice, VirtualDeviceOptions } from "../device/index.js";
import { AbortedError, UsageError } from "../errors.js";
import type { LogFields, Logger } from "../logger.js";
import { parseHostPort } from "../transport/host-port.js";
import type { HostPort } from "../transport/host-port.js";

export const DEFAULT_STATE_DIR = ".wifiprov-state";
const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** Flags as commander hands them over (strings until checked). */
export interface DeviceFlags {
  radio?: string;
  count?: string;
  manifestOut?: string;
  mix?: string;
  seed?: string;
  apInterface?: string;
  staInterface?: string;
  dnsmasqSharedDir?: string;
  /** --portal / --no-portal; undefined = the radio's default. */
  portal?: boolean;
  listen?: string;
  secVer?: string;
  legacySecurity?: boolean;
  pop?: string | false;
  sec2Username?: string;
  sec2Password?: string;
  sec2Salt?: string;
  sec2Verifier?: string;
  sec2PatchVer?: string;
  softapSsid?: string;
  softapPassword?: string;
  stateDir?: string;
  networks?: string;
  compat?: string;
  connAttempts?: string;
  keepRunning?: boolean;
  resetProvisioning?: boolean;
  logLevel?: string;
  logSecrets?: boolean;
  timeScale?: string;
  maxAuthFailures?: string;
  sessionPolicy?: string;
}

/** A flag error: names the flag and what it accepts. */
export class FlagError extends Error {
  readonly hint: string | undefined;
  constructor(flag: string, accepted: string, got: string, hint?: string) {
    super(`${flag}: expected ${accepted}, got ${JSON.stringify(got)}`);
    this.name = "FlagError";
    this.hint = hint;
  }
}

function parseListen(text: string): HostPort {
  try {
    return parseHostPort(text, { barePortHost: "127.0.0.1", allowPortZero: true, what: "--listen" });
  } catch (err) {
    throw new FlagError(
      "--listen",
      "HOST:PORT, [IPv6]:PORT or a bare PORT (0–65535)",
      text,
      err instanceof UsageError ? err.hint : undefined,
    );
  }
}

/** Quotes one word for a POSIX shell, so a printed command runs as printed. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new FlagError(flag, choices.join(", "), text);
  return text as T;
}

function parseWhole(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new FlagError(flag, `a whole number ${min}–${max}`, text);
  }
  return Number(text);
}

function parseHex(flag: string, text: string): Uint8Array {
  const clean = text.replace(/^0x/i, "").replace(/[\s:]/g, "");
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) {
    throw new FlagError(flag, "an even number of hex digits", text);
  }
  return new Uint8Array(Buffer.from(clean, "hex"));
}

/**
 * Turns the flags into startVirtualDevice() options (everything except logger, environment and store, which need
 * I/O). Throws FlagError for any bad value.
 */
/** The radios `--radio` can choose; each is composed in runDevice(). */
export const RADIO_KINDS = ["simulated", "networkmanager"] as const;
export type RadioKind = (typeof RADIO_KINDS)[number];

export function deviceOptionsFromFlags(
  flags: DeviceFlags,
): VirtualDeviceOptions & { logLevel: LogLevel; radioKind: RadioKind } {
  const radioKind = parseChoice("--radio", flags.radio ?? "simulated", RADIO_KINDS);
  if (radioKind !== "networkmanager") {
    for (const [flag, value] of [
      ["--ap-interface", flags.apInterface],
      ["--sta-interface", flags.staInterface],
      ["--dnsmasq-shared-dir", flags.dnsmasqSharedDir],
    ] as const) {
      if (value !== undefined) throw new FlagError(flag, "--radio networkmanager with it", value);
    }
  } else if (flags.timeScale !== undefined) {
    // A real radio and the phones talking to it run in real time; only simulated time can be sped up.
    throw new FlagError("--time-scale", "--radio simulated with it", flags.timeScale);
  }
  const compat = parseChoice("--compat", flags.compat ?? "idf-v5.5", COMPAT_PROFILES);
  // idf-v6.0 firmware has only sec2 unless built with sec0/sec1 (--legacy-security), so sec2 is its default.
  const secVerText = flags.secVer ?? (compatRules(compat).legacySecurityOptIn ? "2" : "1");
  const secVer = Number(parseChoice("--sec-ver", secVerText, ["0", "1", "2"]));
  let security: NonNullable<VirtualDeviceOptions["security"]>;
  if (secVer === 0) security = { version: 0 };
  else if (secVer === 1)
    security = flags.pop === false ? { version: 1 } : { version: 1, pop: flags.pop ?? "abcd1234" };
  else {
    const salt = flags.sec2Salt === undefined ? undefined : parseHex("--sec2-salt", flags.sec2Salt);
    const verifier =
      flags.sec2Verifier === undefined ? undefined : parseHex("--sec2-verifier", flags.sec2Verifier);
    if ((salt === undefined) !== (verifier === undefined)) {
      throw new FlagError(
        "--sec2-salt/--sec2-verifier",
        "both or neither",
        salt ? "only --sec2-salt" : "only --sec2-verifier",
      );
    }
    const username = flags.sec2Username ?? "wifiprov";
    if (username.length === 0) throw new FlagError("--sec2-username", "a non-empty SRP username", username);
    security = {
      version: 2,
      username,
      ...(flags.sec2Password !== undefined ? { password: flags.sec2Password } : {}),
      ...(salt && verifier ? { salt, verifier } : {}),
      ...(flags.sec2PatchVer !== undefined
        ? { patchVersion: parseChoice("--sec2-patch-ver", flags.sec2PatchVer, ["0", "1"]) === "1" ? 1 : 0 }
        : {}),
    };
    if (compat === "idf-v4.0") throw new FlagError("--sec-ver", "0 or 1 with --compat idf-v4.0", "2");
  }
  const softAp: { ssid?: string; password?: string } = {};
  if (flags.softapSsid !== undefined) {
    if (Buffer.byteLength(flags.softapSsid) < 1 || Buffer.byteLength(flags.softapSsid) > 32) {
      throw new FlagError("--softap-ssid", "1–32 bytes", flags.softapSsid);
    }
    softAp.ssid = flags.softapSsid;
  }
  if (flags.softapPassword !== undefined) {
    const n = flags.softapPassword.length;
    if (n !== 0 && (n < 8 || n > 64)) {
      throw new FlagError("--softap-password", "'' (open) or 8–64 characters", "*".repeat(n));
    }
    softAp.password = flags.softapPassword;
  }
  const logLevel = parseChoice("--log-level", flags.logLevel ?? "info", LOG_LEVELS);
  let timeScale: number | undefined;
  if (flags.timeScale !== undefined) {
    timeScale = Number(flags.timeScale);
    if (!Number.isFinite(timeScale) || timeScale < 0 || flags.timeScale.trim() === "") {
      throw new FlagError("--time-scale", "a number ≥ 0 (1 = real time)", flags.timeScale);
    }
  }
  return {
    radioKind,
    // The captive portal is off on the simulated radio (ESP fidelity by default) and on for a real radio.
    portal: flags.portal ?? radioKind !== "simulated",
    // A real radio serves on its SoftAP address, port 80, like an ESP32; the simulated one on loopback.
    listen: parseListen(
      flags.listen ?? (radioKind === "networkmanager" ? "192.168.4.1:80" : "127.0.0.1:8080"),
    ),
    security,
    compat,
    ...(flags.legacySecurity ? { legacySecurity: true } : {}),
    stateDir: flags.stateDir ?? DEFAULT_STATE_DIR,
    ...(Object.keys(softAp).length > 0 ? { softAp } : {}),
    ...(flags.connAttempts !== undefined
      ? { connAttempts: parseWhole("--conn-attempts", flags.connAttempts, 0, 255) }
      : {}),
    ...(flags.keepRunning ? { autoStopMs: false as const } : {}),
    ...(flags.resetProvisioning ? { resetProvisioning: true } : {}),
    ...(flags.logSecrets ? { logSecrets: true } : {}),
    ...(timeScale !== undefined ? { timeScale } : {}),
    // A real radio's SoftAP is shared with strangers: guarded by default there; the simulator stays exact ESP.
    sessionPolicy: parseChoice(
      "--session-policy",
      flags.sessionPolicy ?? (radioKind === "networkmanager" ? "guarded" : "esp"),
      ["esp", "guarded"] as const,
    ),
    ...(flags.maxAuthFailures !== undefined
      ? {
          handshakeGuard: ((n) => (n === 0 ? (false as const) : { maxFailures: n }))(
            parseWhole("--max-auth-failures", flags.maxAuthFailures, 0, 1000),
          ),
        }
      : {}),
    logLevel,
  };
}

const LEVEL_LETTER: Record<number, string> = { 10: "V", 20: "D", 30: "I", 40: "W", 50: "E", 60: "E" };

/** One ESP-like line: `I (1234) app_prov: message key=value`, coloured by level on a terminal. */
export function formatEspLine(
  record: { level: number; msg?: string; [key: string]: unknown },
  uptimeMs: number,
  colour: (level: string, line: string) => string = (_l, line) => line,
): string {
  const { level, msg, time: _time, pid: _pid, hostname: _host, ...fields } = record;
  const letter = LEVEL_LETTER[level] ?? "I";
  const extra = Object.entries(fields)
    .map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("");
  return colour(letter, `${letter} (${Math.round(uptimeMs)}) ${msg ?? ""}${extra}`);
}

/** The device's logger: pino at the chosen level, written as ESP-like lines to stdout. */
async function createDeviceLogger(level: LogLevel): Promise<Logger> {
  const [{ pino }, { default: pc }, { performance }] = await Promise.all([
    import("pino"),
    import("picocolors"),
    import("node:perf_hooks"),
  ]);
  const colours: Record<string, (s: string) => string> = { E: pc.red, W: pc.yellow, I: pc.green };
  const colour = (letter: string, line: string) =>
    process.stdout.isTTY ? (colours[letter] ?? ((s: string) => s))(line) : line;
  const destination = {
    write(chunk: string) {
      const record = JSON.parse(chunk) as { level: number; msg?: string };
      process.stdout.write(formatEspLine(record, performance.now(), colour) + "\n");
    },
  };
  const log = pino({ level, base: undefined, timestamp: false }, destination);
  const call = (fn: (obj: object, msg: string) => void) => (message: string, fields?: LogFields) =>
    fn(fields ?? {}, message);
  return {
    debug: call(log.debug.bind(log)),
    info: call(log.info.bind(log)),
    warn: call(log.warn.bind(log)),
    error: call(log.error.bind(log)),
  };
}

function reportError(err: unknown): number {
  const hint = typeof err === "object" && err !== null ? (err as { hint?: unknown }).hint : undefined;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n${typeof hint === "string" ? `hint: ${hint}\n` : ""}`);
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  // 2 = usage (bad flag or option), 1 = anything else (port in use, unreadable state or networks file).
  return err instanceof FlagError || code === "WIFIPROV_USAGE" ? 2 : 1;
}

/**
 * The composition root of a Linux device: NetworkManager's radio, credentials kept in NetworkManager (the MAC in
 * the state directory), HTTP on the SoftAP address. Closing the device also closes the radio, which removes the
 * SoftAP profile: SIGTERM leaves NetworkManager as it was found.
 */
async function startNetworkManagerDevice(
  options: VirtualDeviceOptions,
  flags: DeviceFlags,
  logger: Logger,
  stop: AbortSignal,
): Promise<RunningVirtualDevice> {
  const [
    { createDevice, FileStateStore, HttpProvisioningTransport, NetworkManagerStateStore },
    nm,
    { realClock },
  ] = await Promise.all([
    import("../device/index.js"),
    import("../wifi/networkmanager/index.js"),
    import("../clock.js"),
  ]);
  // One clock for the radio, the credentials and the device (real time: --time-scale is refused with this radio).
  const clock = realClock;
  const {
    listen,
    stateDir,
    environment: _environment,
    timeScale: _timeScale,
    store: _store,
    radio: _radio,
    clock: _clock,
    portal,
    ...parts
  } = options;
  // The page is read before anything is set up on NetworkManager, so a missing build changes nothing there.
  const { portalAssetsFor } = await import("../device/portal-assets.js");
  const portalAssets = await portalAssetsFor(portal);
  const radio = await nm.NetworkManagerRadio.open({
    apInterface: flags.apInterface ?? "wlan0",
    ...(flags.staInterface !== undefined ? { staInterface: flags.staInterface } : {}),
    // With the portal on, every name resolves to the SoftAP so the phones' probes reach the page.
    captivePortalDns: portal !== undefined && portal !== false,
    // Always given, so a leftover file from a crashed run is removed even when this run has no portal.
    dnsmasqSharedDir: flags.dnsmasqSharedDir ?? nm.DNSMASQ_SHARED_DIR,
    clock,
    logger,
  });
  // SIGTERM/SIGINT during start-up: closing the radio ends its waits and removes what it set up so far.
  const onStop = () => void radio.close();
  stop.addEventListener("abort", onStop, { once: true });
  let credentials: InstanceType<typeof nm.NetworkManagerCredentials> | undefined;
  try {
    if (stop.aborted) throw new AbortedError("stopped during start-up");
    credentials = await nm.NetworkManagerCredentials.open({ logger, clock });
    const store = new NetworkManagerStateStore(
      credentials,
      new FileStateStore({ dir: stateDir ?? DEFAULT_STATE_DIR, logger }),
    );
    const http = new HttpProvisioningTransport({
      listen: listen ?? { host: "192.168.4.1", port: 80 },
      ...(portalAssets !== undefined ? { portal: portalAssets } : {}),
    });
    if (stop.aborted) throw new AbortedError("stopped during start-up");
    const device = await createDevice({ ...parts, radio, store, transports: [http], clock, logger });
    stop.removeEventListener("abort", onStop);
    if (stop.aborted) {
      await device.close();
      throw new AbortedError("stopped during start-up");
    }
    const close = device.close.bind(device);
    return Object.assign(device, {
      address: http.address ?? listen ?? { host: "192.168.4.1", port: 80 },
      async close() {
        await close();
        await radio.close();
        credentials?.close();
      },
    });
  } catch (error) {
    stop.removeEventListener("abort", onStop);
    await radio.close().catch(() => {});
    credentials?.close();
    throw stop.aborted ? new AbortedError("stopped during start-up", { cause: error }) : error;
  }
}

async function runDevice(flags: DeviceFlags): Promise<number> {
  let options: ReturnType<typeof deviceOptionsFromFlags>;
  try {
    options = deviceOptionsFromFlags(flags);
  } catch (err) {
    return reportError(err);
  }
  const { logLevel, radioKind, ...deviceOptions } = options;
  const count = flags.count === undefined ? 1 : Number(flags.count);
  if (!Number.isInteger(count) || count < 1 || count > 10_000) {
    return reportError(new FlagError("--count", "a whole number from 1 to 10000", flags.count ?? ""));
  }
  const fleetMode = count > 1 || flags.manifestOut !== undefined || flags.mix !== undefined;
  if (flags.seed !== undefined && flags.mix === undefined) {
    return reportError(
      new FlagError("--seed", "--mix with it (it draws which devices get which fault)", flags.seed),
    );
  }
  if (fleetMode && radioKind !== "simulated") {
    return reportError(
      new FlagError("--count", "--radio simulated with it (a fleet is virtual)", String(count)),
    );
  }
  if (fleetMode) {
    // A fleet logs only warnings unless asked: a thousand devices' info lines would drown everything.
    const logger = await createDeviceLogger(flags.logLevel === undefined ? "warn" : logLevel);
    const { runVirtualFleet } = await import("./commands/device-fleet.js");
    const randomCredentials = flags.pop === "random" || flags.sec2Password === "random";
    return runVirtualFleet(
      {
        count,
        randomCredentials,
        ...(flags.manifestOut !== undefined ? { manifestOut: flags.manifestOut } : {}),
        ...(flags.mix !== undefined ? { mix: flags.mix } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      },
      deviceOptions,
      logger,
      reportError,
    );
  }
  // Signals are caught from the start, so a SIGINT/SIGTERM during start-up still ends in a clean shutdown
  // (exit 0) instead of Node's default death by signal.
  let pendingSignal: string | undefined;
  let onStop: ((signal: string) => void) | undefined;
  const startUp = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (onStop) onStop(signal);
    else {
      pendingSignal ??= signal;
      startUp.abort();
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const releaseSignals = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  const logger = await createDeviceLogger(logLevel);
  const [{ startVirtualDevice }, { loadEnvironmentFile }] = await Promise.all([
    import("../device/index.js"),
    import("../wifi/index.js"),
  ]);
  let device: Awaited<ReturnType<typeof startVirtualDevice>>;
  try {
    // The composition root of each radio kind.
    switch (radioKind) {
      case "simulated": {
        const environment =
          flags.networks !== undefined ? await loadEnvironmentFile(flags.networks) : undefined;
        device = await startVirtualDevice({
          ...deviceOptions,
          ...(environment ? { environment } : {}),
          logger,
        });
        break;
      }
      case "networkmanager": {
        if (flags.networks !== undefined) {
          throw new FlagError("--networks", "--radio simulated with it", flags.networks);
        }
        device = await startNetworkManagerDevice(deviceOptions, flags, logger, startUp.signal);
        break;
      }
    }
  } catch (err) {
    releaseSignals();
    if (pendingSignal !== undefined && err instanceof AbortedError) {
      // Stopped while starting: whatever was set up has been undone, which is a clean stop (exit 0).
      logger.info(`app: ${pendingSignal} received during start-up, stopped`);
      return 0;
    }
    return reportError(err);
  }

  if (device.state() === "provisioning" && pendingSignal === undefined) {
    const { renderUnicodeCompact } = await import("uqr");
    const wildcard = device.address.host === "0.0.0.0" || device.address.host === "::";
    process.stdout.write(
      [
        "",
        `Service name: ${device.serviceName}${wildcard ? "   (listening on every interface: from another machine use this machine's address)" : ""}`,
        `Provision:    npx wifiprov provision --service_name ${device.serviceName} --qrcode ${shellQuote(device.qrPayload)}`,
        `SoftAP SSID:  ${device.softApSsid}`,
        ...(deviceOptions.portal ? [`Portal page:  http://${device.serviceName}/`] : []),
        `QR payload:   ${device.qrPayload}`,
        renderUnicodeCompact(device.qrPayload),
        "",
      ].join("\n"),
    );
  }

  if (device.state() === "station" && pendingSignal === undefined) {
    // Like the seed's firmware, a provisioned device joins its network instead of provisioning; say how to
    // get back to provisioning, since that is what a developer restarting the virtual device usually wants.
    const dir = deviceOptions.stateDir ?? DEFAULT_STATE_DIR;
    process.stdout.write(
      radioKind === "networkmanager"
        ? `\nAlready provisioned (wifiprov's station profile in NetworkManager), so provisioning did not start.\n` +
            `To provision again: npx wifiprov device erase --radio networkmanager   (or start with --reset-provisioning)\n\n`
        : `\nAlready provisioned (credentials in ${dir}), so provisioning did not start.\n` +
            `To provision again: npx wifiprov device erase --state-dir ${shellQuote(dir)}   (or start with --reset-provisioning)\n\n`,
    );
  }

  // Runs like firmware until stopped: SIGINT/SIGTERM close the sockets and the radio, then exit 0.
  await new Promise<void>((resolve) => {
    // Signal handlers do not keep Node alive; a station without its HTTP server has nothing else that does.
    const keepAlive = setInterval(() => {}, 1 << 30);
    onStop = (signal: string) => {
      onStop = () => {}; // a second signal while closing changes nothing
      clearInterval(keepAlive);
      logger.info(`app: ${signal} received, shutting down`);
      device.close().then(resolve, (err: unknown) => {
        reportError(err);
        resolve();
      });
    };
    if (pendingSignal !== undefined) onStop(pendingSignal);
  });
  releaseSignals();
  return 0;
}

async function runErase(flags: { stateDir?: string; radio?: string }): Promise<number> {
  const dir = flags.stateDir ?? DEFAULT_STATE_DIR;
  try {
    const radioKind = parseChoice("--radio", flags.radio ?? "simulated", RADIO_KINDS);
    const { FileStateStore } = await import("../device/index.js");
    if (radioKind === "networkmanager") {
      // The credentials are NetworkManager's profile flagged as ours: remove it.
      const { NetworkManagerCredentials } = await import("../wifi/networkmanager/index.js");
      const credentials = await NetworkManagerCredentials.open();
      let removed: number;
      try {
        removed = await credentials.erase();
      } finally {
        credentials.close();
      }
      await new FileStateStore({ dir }).eraseCredentials();
      process.stdout.write(
        removed > 0
          ? "Removed wifiprov's station profile from NetworkManager\n"
          : "NetworkManager holds no station profile of wifiprov's: nothing to erase\n",
      );
      return 0;
    }
    await new FileStateStore({ dir }).eraseCredentials();
  } catch (err) {
    return reportError(err);
  }
  process.stdout.write(`Erased the stored Wi-Fi credentials in ${dir} (the device MAC is kept)\n`);
  return 0;
}

export function registerDeviceCommand(program: Command): void {
  const device = program
    .command("device")
    .description("run a virtual ESP32 provisioning device (SoftAP + HTTP, simulated radio)")
    .option("--count <n>", "run N virtual devices on consecutive ports (--listen gives the first)")
    .option(
      "--manifest-out <file>",
      "with --count: write the fleet manifest (service names, secrets, QR payloads)",
    )
    .option(
      "--mix <spec>",
      "with --count: spread firmware and faults over the fleet, e.g. default or v4.0=10%,patch0=10%,stale=5%,drop=5%,unreachable=3%,wrongpass=3% (README: wifiprov fleet)",
    )
    .option("--seed <n>", "with --mix: which devices get which fault (default: drawn and printed)")
    .addOption(
      new Option("--radio <kind>", "the Wi-Fi radio behind the device")
        .choices([...RADIO_KINDS])
        .default("simulated"),
    )
    .option(
      "--listen <host:port>",
      "where the HTTP service listens: HOST:PORT, [IPv6]:PORT or PORT (default 127.0.0.1:8080; 192.168.4.1:80 with --radio networkmanager)",
    )
    .option(
      "--ap-interface <ifname>",
      "with --radio networkmanager: the Wi-Fi interface of the SoftAP (default wlan0)",
    )
    .option(
      "--sta-interface <ifname>",
      "with --radio networkmanager: a second interface for the station (default: the SoftAP's, taking turns)",
    )
    .option(
      "--dnsmasq-shared-dir <dir>",
      "with --radio networkmanager: the directory NetworkManager's shared-mode dnsmasq reads; with the portal on, a file there answers every DNS name with the SoftAP address (default /etc/NetworkManager/dnsmasq-shared.d)",
    )
    .addOption(
      new Option("--sec-ver <n>", "security scheme (default: 1, or 2 with --compat idf-v6.0)").choices([
        "0",
        "1",
        "2",
      ]),
    )
    .option(
      "--legacy-security",
      "idf-v6.0: firmware built with sec0/sec1 support (off in its Kconfig), so --sec-ver 0/1 are allowed",
    )
    .option("--pop <pop>", "proof of possession for security 1", "abcd1234")
    .option("--no-pop", "security 1 without a proof of possession (advertises no_pop)")
    .option("--sec2-username <user>", "SRP6a username for security 2", "wifiprov")
    .option("--sec2-password <password>", "SRP6a password for security 2 (default abcd1234)")
    .option("--sec2-salt <hex>", "SRP6a salt (hex), with --sec2-verifier instead of a password")
    .option(
      "--sec2-verifier <hex>",
      "SRP6a verifier (hex), as printed by npx wifiprov sec2-gen-cred --format hex",
    )
    .addOption(
      new Option(
        "--sec2-patch-ver <n>",
        "sec2 patch version (default: 0 with --compat idf-v5.0/v5.1/v5.2, else 1)",
      ).choices(["0", "1"]),
    )
    .option("--softap-ssid <ssid>", "SoftAP SSID / service name (default PROV_ + last 3 MAC bytes)")
    .option("--softap-password <password>", "SoftAP password, '' for an open SoftAP (default PROV_PASS)")
    .option(
      "--state-dir <dir>",
      "where credentials and the MAC persist (the device's flash)",
      DEFAULT_STATE_DIR,
    )
    .option("--networks <file>", "JSON file describing the simulated Wi-Fi networks")
    .addOption(
      new Option("--compat <profile>", "firmware generation to behave like (README: wifiprov device)")
        .choices([...COMPAT_PROFILES])
        .default("idf-v5.5"),
    )
    .option("--conn-attempts <n>", "connection attempts before ConnectionFailed (default 5)")
    .option(
      "--max-auth-failures <n>",
      "failed PoP/SRP handshakes in a row before handshakes are refused for a doubling back-off (default 5, 0 = no limit)",
    )
    .addOption(
      new Option(
        "--session-policy <policy>",
        "esp: ESP-IDF's rules exactly (any request outside the session replaces it); guarded: replaced only by a completed handshake, several connections (default esp; guarded with --radio networkmanager)",
      ).choices(["esp", "guarded"]),
    )
    .option(
      "--portal",
      "serve the captive portal page at GET / (default on a real radio, off when simulated)",
    )
    .option("--no-portal", "no captive portal: GET is refused as ESP-IDF's httpd refuses it")
    .option("--keep-running", "keep the service after success (allows prov-ctrl reprov)")
    .option("--reset-provisioning", "erase stored credentials at start (always provision)")
    .addOption(
      new Option("--log-level <level>", "log level (default info; warn with --count)").choices([
        ...LOG_LEVELS,
      ]),
    )
    .option("--log-secrets", "show PoP, passwords and passphrases in the log")
    .addOption(new Option("--time-scale <factor>", "speed of simulated time (0.1 = ten times faster)"))
    .addHelpText(
      "after",
      "\nExamples:\n  npx wifiprov device\n  npx wifiprov device --sec-ver 2 --listen 127.0.0.1:8081 --keep-running\n" +
        "  esp_prov.py --transport softap --service_name 127.0.0.1:8080 --sec_ver 1 --pop abcd1234 \\\n" +
        "      --ssid myssid --passphrase mypassword" +
        "\n\nExit codes:\n    0  stopped by SIGINT/SIGTERM (also during start-up); for erase: erased\n" +
        "    1  could not start or erase (port in use, address not local, state dir or networks file unusable)\n" +
        "    2  a bad flag",
    )
    .action(async (flags: DeviceFlags) => {
      process.exitCode = await runDevice(flags);
    });

  // `--state-dir` stays an option of `device`: commander hands it to the parent wherever it is written
  // (`device erase --state-dir X` and `device --state-dir X erase` both work).
  device
    .command("erase")
    .description("erase the stored Wi-Fi credentials in --state-dir (like an ESP32 flash erase)")
    .action(async () => {
      const { stateDir, radio } = device.opts() as DeviceFlags;
      process.exitCode = await runErase({
        ...(stateDir !== undefined ? { stateDir } : {}),
        ...(radio !== undefined ? { radio } : {}),
      });
    });
}
