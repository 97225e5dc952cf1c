/**
 * ProvisioningClient: the library API over one device. It owns one transport (one keep-alive socket that
 * echoes the session cookie, protocol.md §2.4) and at most one security session, and runs requests strictly
 * one after another (sec1's keystream is shared by both directions and every endpoint, §6.2).
 */
import {
  AbortedError,
  AuthenticationError,
  ErrorCodes,
  LockedOutError,
  SessionError,
  TimeoutError,
  TransportError,
  UnsupportedError,
  UsageError,
  WifiProvError,
} from "../errors.js";
import { childLogger, defaultLogger, secret } from "../logger.js";
import type { Logger } from "../logger.js";
import { createClientSession } from "../security/index.js";
import type { ClientSecuritySession, SecurityPatchVersion, SecurityVersion } from "../security/types.js";
import { formatHostPort, parseHostPort } from "../transport/host-port.js";
import type { ClientTransport } from "../transport/types.js";
import * as msg from "./messages.js";
import { backoffDelay, PollPacer, realClock } from "./polling.js";
import type { BackoffOptions, Clock } from "./polling.js";
import { chooseSecurity } from "./security-choice.js";
import type { SecurityDecision, SessionOptions } from "./security-choice.js";
import { checkChannel, checkPassphrase, checkSsid, parseBssid } from "./credentials.js";
import { parseDeviceVersion, provisionsWifi, supportsScan } from "./version.js";
import type { DeviceVersion } from "./version.js";
import type { ConnectionOutcome, ScanEntry, WifiStatus } from "./wifi-types.js";

export interface ConnectOptions {
  /**
   * What carries the messages. When absent, the entry point builds its default from `serviceName`: on Node
   * (`wifiprov`) HTTP on one keep-alive socket; in a browser bundle, `fetch` (to the page's own origin when
   * `serviceName` is absent too).
   */
  transport?: ClientTransport;
  /**
   * `host:port` of the device's HTTP server (ESP devices: 192.168.4.1:80 on their SoftAP), for the default
   * transport. Not used when `transport` is given. The library never guesses an address.
   */
  serviceName?: string;
  /** Per-request timeout of the default transport. Default DEFAULT_REQUEST_TIMEOUT_MS (15 000 ms). */
  timeoutMs?: number;
  /** TCP connect timeout of the default HTTP transport. Default DEFAULT_CONNECT_TIMEOUT_MS (5 000 ms). */
  connectTimeoutMs?: number;
  /** Default: `util.debuglog('wifiprov')` on Node (NODE_DEBUG=wifiprov), silent in a browser. */
  logger?: Logger;
  /** Aborts the initial version request. */
  signal?: AbortSignal;
  /** Time source for polling; tests inject a fake one. */
  clock?: Clock;
}

export interface SessionInfo {
  securityVersion: SecurityVersion;
  /** sec2 patch level (0 for sec0/sec1). */
  patchVersion: SecurityPatchVersion;
  /** How the level was chosen. */
  source: SecurityDecision["source"];
  /** A PoP was given but the device announced no_pop, so it was not used. */
  popIgnored: boolean;
}

export interface ScanOptions {
  /** Ask the device to answer ScanStart only when the scan is done. Default true (esp_prov's choice). */
  blocking?: boolean;
  /** Passive scan. Default false. */
  passive?: boolean;
  /** Channels per group with a pause between groups so the SoftAP keeps beaconing. Default 5 (esp_prov softap). */
  groupChannels?: number;
  /** Dwell time per channel. Default 120 ms. */
  periodMs?: number;
  /** Entries per ScanResult request; small keeps each reply small. Default 4. */
  chunkSize?: number;
  /** Give up waiting for scan_finished after this long. Default 30 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WifiConfig {
  /** UTF-8 string or the raw bytes from a scan entry; 1–32 bytes. */
  ssid: string | Uint8Array;
  /** "" for an open network, 8–63 bytes of UTF-8, or 64 hex digits (a raw key). */
  passphrase: string;
  /** Lock to one access point (aa:bb:cc:dd:ee:ff). v5.5 devices validate but ignore it. */
  bssid?: string | Uint8Array;
  channel?: number;
}

export type WaitProgress =
  | { type: "status"; status: WifiStatus; elapsedMs: number }
  | { type: "unreachable"; error: Error; consecutive: number; elapsedMs: number }
  | { type: "recovered"; elapsedMs: number };

export interface WaitOptions {
  /** Overall limit. Default 60 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (event: WaitProgress) => void;
  /** Poll delays: 250 ms × 1.5ⁿ up to 3 s by default. */
  backoff?: BackoffOptions;
  /** Consecutive failed polls before the outcome is "unknown". Default 3. */
  maxUnreachable?: number;
}

const utf8 = new TextEncoder();

/** Errors after which the device may still be fine: the link or the session went away, not the request. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof WifiProvError)) return false;
  return (
    err.code === ErrorCodes.TRANSPORT ||
    err.code === ErrorCodes.CLOSED_WITHOUT_REPLY ||
    err.code === ErrorCodes.HTTP_STATUS ||
    err.code === ErrorCodes.TIMEOUT ||
    err.code === ErrorCodes.SESSION ||
    // A desynchronised sec1 keystream decrypts to garbage that fails to parse (protocol.md §6.2).
    err.code === ErrorCodes.PROTOCOL
  );
}

export class ProvisioningClient {
  /** Where the transport sends (its `target`: "host:port" for HTTP). */
  readonly target: string;
  readonly #transport: ClientTransport;
  readonly #log: Logger;
  readonly #clock: Clock;
  #version: DeviceVersion | undefined;
  #session: ClientSecuritySession | undefined;
  #sessionOptions: SessionOptions | undefined;
  #sessionInfo: SessionInfo | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: ConnectOptions & { transport: ClientTransport }) {
    this.target = options.transport.target;
    this.#transport = options.transport;
    this.#log = childLogger(options.logger ?? defaultLogger, "client");
    this.#clock = options.clock ?? realClock;
  }

  /** The session established last, if any. */
  get session(): SessionInfo | undefined {
    return this.#sessionInfo;
  }

  /** Runs one exchange at a time, in call order. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new SessionError("this client was closed");
  }

  /** What the device announces on `proto-ver` (cached; `refresh` asks again). Never encrypted (§3.1). */
  async version(options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<DeviceVersion> {
    this.#ensureOpen();
    if (this.#version && !options.refresh) return this.#version;
    let body: Uint8Array;
    try {
      body = await this.#serial(() =>
        // The body is ignored but must be non-empty; esp_prov sends "---" for its patch-level query.
        this.#transport.send(
          "proto-ver",
          utf8.encode("---"),
          options.signal ? { signal: options.signal } : {},
        ),
      );
    } catch (err) {
      // Every provisioning service answers proto-ver (ESP-IDF registers it in protocomm_set_version), so an
      // HTTP error status here means some other HTTP server holds this address.
      if (err instanceof WifiProvError && err.code === ErrorCodes.HTTP_STATUS) {
        throw this.#notProvisioning(`HTTP ${(err as { status?: number }).status ?? "error"}`, err);
      }
      // Connected but no answer to the one request that needs no session: not a device we can talk to.
      if (
        err instanceof WifiProvError &&
        (err.code === ErrorCodes.TIMEOUT || err.code === ErrorCodes.CLOSED_WITHOUT_REPLY)
      ) {
        throw new TransportError(
          `cannot reach the provisioning service at ${this.target}: ${err.message}`,
          {
            cause: err,
            hint: "check --service_name; a device that is busy with another client closes new connections",
          },
        );
      }
      throw err;
    }
    const version = parseDeviceVersion(body);
    // A plain reply is a version string ("V0.1"); a page of HTML or a long text is some other server.
    if (version.format === "plain" && (/^\s*</.test(version.raw) || version.raw.length > 64)) {
      throw this.#notProvisioning("its /proto-ver reply is not a version");
    }
    this.#version = version;
    this.#log.debug("device version", { raw: this.#version.raw });
    return this.#version;
  }

  #notProvisioning(why: string, cause?: unknown): TransportError {
    return new TransportError(
      `something answered at ${this.target}, but it is not a provisioning service (${why})`,
      {
        ...(cause !== undefined ? { cause } : {}),
        hint: "check the address: ESP devices answer at 192.168.4.1:80 once this computer is on their access point",
      },
    );
  }

  /**
   * Runs the security handshake on `prov-session`. The level comes from `proto-ver` unless forced; missing
   * credentials are a UsageError before anything is sent. A device that closes the connection mid-handshake
   * is rejecting our proof (wrong PoP / SRP credentials) or our scheme: AuthenticationError.
   */
  async establishSession(options: SessionOptions = {}): Promise<SessionInfo> {
    this.#ensureOpen();
    const version = await this.version();
    const decision = chooseSecurity(version, options);
    const info = await this.#handshake(decision);
    this.#sessionOptions = options;
    return info;
  }

  async #handshake(decision: SecurityDecision): Promise<SessionInfo> {
    const { choice } = decision;
    this.#session?.close();
    this.#session = undefined;
    this.#sessionInfo = undefined;
    this.#log.debug("starting session", {
      securityVersion: choice.version,
      ...(choice.version === 1 && choice.pop !== undefined ? { pop: secret(String(choice.pop)) } : {}),
      ...(choice.version === 2
        ? { patchVersion: choice.patchVersion, username: choice.username, password: secret(choice.password) }
        : {}),
    });
    const session = createClientSession(choice);
    let step = 0;
    try {
      let request: Uint8Array | null = session.begin();
      while (request !== null) {
        step++;
        const req: Uint8Array = request;
        const reply = await this.#serial(() => this.#transport.send("prov-session", req));
        request = session.next(reply);
      }
    } catch (err) {
      session.close();
      throw this.#handshakeError(err, decision, step);
    }
    this.#session = session;
    this.#sessionInfo = {
      securityVersion: choice.version,
      patchVersion: choice.version === 2 ? choice.patchVersion : 0,
      source: decision.source,
      popIgnored: decision.popIgnored,
    };
    this.#log.debug("session established", { securityVersion: choice.version });
    return this.#sessionInfo;
  }

  #handshakeError(err: unknown, decision: SecurityDecision, step: number): Error {
    const level = decision.choice.version;
    const hint =
      level === 0
        ? "the device refused an unsecured session; it probably uses security 1 or 2 (drop --sec_ver 0)"
        : level === 1
          ? "check the proof of possession (--pop) and the security level (--sec_ver); the device closes the connection when the PoP is wrong"
          : "check --sec2_username / --sec2_pwd and the security level (--sec_ver); the device closes the connection when the SRP proof is wrong";
    if (err instanceof AuthenticationError) {
      return err.hint ? err : new AuthenticationError(err.message, { cause: err, hint });
    }
    if (
      step === 1 &&
      level !== 0 &&
      decision.source !== "forced" &&
      err instanceof WifiProvError &&
      err.code === ErrorCodes.CLOSED_WITHOUT_REPLY
    ) {
      // No proof has been checked at step 1: ESP-IDF's security1.c/security2.c answer SessionCmd0 whatever
      // the PoP or username, and the level came from proto-ver, so a close here is a device refusing to start
      // handshakes (wifiprov's device does so after repeated wrong proofs), not a wrong PoP. The wire carries
      // no wait time: the device's log prints it.
      return new LockedOutError(
        "the device is refusing handshakes after repeated failures; retry in a few seconds (the device's log says how long)",
        0,
        {
          cause: err,
          hint: "wait, then retry with the right credentials; every further wrong proof doubles the wait (up to a minute)",
        },
      );
    }
    if (
      err instanceof WifiProvError &&
      (err.code === ErrorCodes.CLOSED_WITHOUT_REPLY || err.code === ErrorCodes.PROTOCOL)
    ) {
      // protocol.md §6.1/§7.5: wrong PoP, wrong password, wrong scheme all surface as a closed connection.
      const what =
        err.code === ErrorCodes.PROTOCOL ? "answered the handshake unexpectedly" : "closed the connection";
      return new AuthenticationError(`the device ${what} at handshake step ${step} (security ${level})`, {
        cause: err,
        hint,
      });
    }
    return err instanceof Error ? err : new SessionError(String(err));
  }

  /** Encrypts, sends, decrypts: the path of every request endpoint (§3.1). */
  async #request(endpoint: string, plain: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    this.#ensureOpen();
    const session = this.#session;
    if (!session) {
      throw new SessionError(`no session: call establishSession() before using ${endpoint}`);
    }
    return this.#serial(async () => {
      const reply = await this.#transport.send(endpoint, session.encrypt(plain), signal ? { signal } : {});
      return session.decrypt(reply);
    });
  }

  /** Sends application bytes to a custom endpoint (e.g. `custom-data`, §8.7), encrypted like every request. */
  async sendData(
    endpoint: string,
    data: Uint8Array | string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    if (!/^[A-Za-z0-9._~-]+$/.test(endpoint)) {
      throw new UsageError(`not a valid endpoint name: ${JSON.stringify(endpoint)}`);
    }
    const bytes = typeof data === "string" ? utf8.encode(data) : data;
    if (bytes.length === 0) {
      // §3.1: an empty request body is rejected by the HTTP layer / fails on real firmware under sec2.
      throw new UsageError("custom data must not be empty");
    }
    return this.#request(endpoint, bytes, options.signal);
  }

  /** Lists the access points the device can see: ScanStart, status, results in small pages (§8.5). */
  async scan(options: ScanOptions = {}): Promise<ScanEntry[]> {
    const {
      blocking = true,
      passive = false,
      groupChannels = 5,
      periodMs = 120,
      chunkSize = 4,
      timeoutMs = 30_000,
      signal,
    } = options;
    this.#requireWifi();
    if (this.#version && this.#version.format === "json" && !supportsScan(this.#version)) {
      throw new UnsupportedError("this device does not offer a Wi-Fi scan (no wifi_scan capability)", {
        hint: "pass --ssid <network> to provision without scanning",
      });
    }
    if (this.#version?.format === "plain") {
      throw new UnsupportedError("this device (ESP-IDF v4.0 style, proto-ver V0.1) has no scan endpoint", {
        hint: "pass --ssid <network> to provision without scanning",
      });
    }
    msg.readScanStart(
      await this.#request(
        "prov-scan",
        msg.encodeScanStart({ blocking, passive, groupChannels, periodMs }),
        signal,
      ),
    );
    const started = this.#clock.now();
    let status = msg.readScanStatus(await this.#request("prov-scan", msg.encodeScanStatus(), signal));
    for (let n = 0; !status.finished; n++) {
      const left = timeoutMs - (this.#clock.now() - started);
      if (left <= 0) throw new TimeoutError(`the device's scan did not finish within ${timeoutMs} ms`);
      await this.#clock.sleep(Math.min(backoffDelay(n), left), signal);
      status = msg.readScanStatus(await this.#request("prov-scan", msg.encodeScanStatus(), signal));
    }
    const entries: ScanEntry[] = [];
    const size = Math.max(1, Math.floor(chunkSize));
    // §8.5: requests must stay within result_count.
    for (let start = 0; start < status.count; start += size) {
      const count = Math.min(size, status.count - start);
      entries.push(
        ...msg.readScanResult(await this.#request("prov-scan", msg.encodeScanResult(start, count), signal)),
      );
    }
    return entries;
  }

  /** Sends the credentials (SetConfig). Input is checked first; nothing is sent when it is invalid. */
  async setConfig(config: WifiConfig, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#requireWifi();
    const ssid = checkSsid(config.ssid);
    const passphrase = checkPassphrase(config.passphrase);
    const bssid = config.bssid !== undefined ? parseBssid(config.bssid) : undefined;
    const channel = config.channel !== undefined ? checkChannel(config.channel) : undefined;
    this.#log.debug("set config", {
      ssid: new TextDecoder().decode(ssid),
      passphrase: secret(config.passphrase),
    });
    msg.readSetConfig(
      await this.#request(
        "prov-config",
        msg.encodeSetConfig({
          ssid,
          passphrase,
          ...(bssid ? { bssid } : {}),
          ...(channel ? { channel } : {}),
        }),
        options.signal,
      ),
    );
  }

  /** Refuses a Thread-only network_provisioning device before any Wi-Fi request is sent to it. */
  #requireWifi(): void {
    if (this.#version && !provisionsWifi(this.#version)) throw threadOnlyError(this.#version);
  }

  /** Tells the device to connect with the credentials just sent (ApplyConfig). */
  async applyConfig(options: { signal?: AbortSignal } = {}): Promise<void> {
    msg.readApplyConfig(await this.#request("prov-config", msg.encodeApplyConfig(), options.signal));
  }

  /** One GetStatus. Note: a v5.5 device shuts its service down ~1 s after answering Connected (§8.4). */
  async getStatus(options: { signal?: AbortSignal } = {}): Promise<WifiStatus> {
    return msg.readGetStatus(await this.#request("prov-config", msg.encodeGetStatus(), options.signal));
  }

  /**
   * Polls GetStatus until the device reports Connected or a final failure, never past `timeoutMs`: every
   * 200 ms while the device reports Connecting during the first 10 s (so Connected is seen within one interval
   * of the join), then backing off from 250 ms to 3 s (`backoff` tunes both). When polls fail (the device's radio moved to the home network's channel, or it restarted
   * its HTTP session) it reconnects and redoes the handshake; after `maxUnreachable` failures in a row the
   * outcome is "unknown".
   */
  async waitForConnection(options: WaitOptions = {}): Promise<ConnectionOutcome> {
    const { timeoutMs = 60_000, signal, onProgress, backoff, maxUnreachable = 3 } = options;
    const clock = this.#clock;
    const start = clock.now();
    const elapsed = () => clock.now() - start;
    let last: WifiStatus | undefined;
    let unreachable = 0;
    let lastError: Error | undefined;
    let needsSession = false;
    const pacer = new PollPacer(backoff);
    for (;;) {
      const left = timeoutMs - elapsed();
      if (left <= 0) break;
      if (signal?.aborted) throw new AbortedError("waiting for the connection was aborted");
      // Steady while the device is (or, before the first poll, must be) connecting and the last poll answered.
      const connecting = unreachable === 0 && (last === undefined || last.state === "connecting");
      await clock.sleep(Math.min(pacer.next(elapsed(), connecting), left), signal);
      if (signal?.aborted) throw new AbortedError("waiting for the connection was aborted");
      try {
        if (needsSession) {
          await this.#recoverSession(signal);
          needsSession = false;
          onProgress?.({ type: "recovered", elapsedMs: elapsed() });
        }
        last = await this.getStatus(signal ? { signal } : {});
        unreachable = 0;
      } catch (err) {
        if (!isTransient(err) || !(err instanceof Error)) throw err;
        unreachable++;
        lastError = err;
        needsSession = true;
        onProgress?.({ type: "unreachable", error: err, consecutive: unreachable, elapsedMs: elapsed() });
        this.#log.debug("status poll failed", { error: err.message, consecutive: unreachable });
        if (unreachable >= maxUnreachable) {
          return { state: "unknown", why: `the device stopped answering (${err.message})` };
        }
        continue;
      }
      onProgress?.({ type: "status", status: last, elapsedMs: elapsed() });
      if (last.state === "connected") {
        const { state: _s, ...info } = last;
        return { state: "connected", ...info };
      }
      if (last.state === "failed") return { state: "failed", reason: last.reason };
    }
    if (lastError && unreachable > 0) {
      return { state: "unknown", why: `the device stopped answering (${lastError.message})` };
    }
    return { state: "timeout", waitedMs: elapsed(), last };
  }

  /** A new connection and a new handshake with the same credentials (the old keystream/nonce is unusable). */
  async #recoverSession(signal?: AbortSignal): Promise<void> {
    await this.#transport.close();
    if (!this.#sessionInfo && !this.#sessionOptions) throw new SessionError("no session to recover");
    const decision = chooseSecurity(this.#version, {
      ...this.#sessionOptions,
      secVer: this.#sessionInfo?.securityVersion ?? this.#sessionOptions?.secVer,
      patchVersion: this.#sessionInfo?.patchVersion ?? this.#sessionOptions?.patchVersion,
    } as SessionOptions);
    if (signal?.aborted) return;
    try {
      await this.#handshake(decision);
    } catch (err) {
      // These credentials already completed a handshake in this run, so a connection closed during the
      // re-handshake means the link is going (e.g. the SoftAP left with a channel hop), not a wrong PoP:
      // hand the wait the transport error underneath, which it counts as "not answering".
      if ((err instanceof AuthenticationError || err instanceof LockedOutError) && isTransient(err.cause)) {
        throw err.cause;
      }
      throw err;
    }
  }

  /** CtrlReset (v5.x): after a failed attempt, lets the device take new credentials (§8.6). */
  async reset(options: { signal?: AbortSignal } = {}): Promise<void> {
    msg.readCtrl(await this.#request("prov-ctrl", msg.encodeCtrl("reset"), options.signal), "reset");
  }

  /** CtrlReprov (v5.x): asks a provisioned device (auto-stop disabled) to take new credentials (§8.6). */
  async reprov(options: { signal?: AbortSignal } = {}): Promise<void> {
    msg.readCtrl(await this.#request("prov-ctrl", msg.encodeCtrl("reprov"), options.signal), "reprov");
  }

  /** Wipes the session keys and closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#session?.close();
    this.#session = undefined;
    await this.#transport.close();
  }
}

/** The error for a device that provisions Thread networks only (network_provisioning without wifi_prov). */
export function threadOnlyError(version: DeviceVersion): UnsupportedError {
  return new UnsupportedError(
    `this device provisions Thread networks only (capabilities ${version.capabilities.join(", ")}), not Wi-Fi`,
    { hint: "wifiprov provisions Wi-Fi; use Espressif's network_provisioning esp_prov for a Thread dataset" },
  );
}

/**
 * A device address as the client uses it: `host:port`, `host` (port 80), `[v6]:port`, `http://host:port`;
 * returned as `host:port` (v6 bracketed). Throws UsageError for anything else.
 */
export function checkServiceName(serviceName: string): string {
  return formatHostPort(parseHostPort(serviceName, { defaultPort: 80, what: "service name" }));
}

/**
 * Opens a client on `options.transport` and reads the device's version (so an unreachable device fails here,
 * not halfway through). This is the core, which knows no concrete transport: the package's entry points
 * (`wifiprov` on Node, its browser bundle) export a `connect` that first builds the default transport.
 */
export async function connect(options: ConnectOptions): Promise<ProvisioningClient> {
  const transport = options.transport;
  if (transport === undefined) {
    throw new UsageError("no transport to reach the device", {
      hint: "import connect from the wifiprov package (it builds an HTTP transport from serviceName), or pass options.transport",
    });
  }
  const client = new ProvisioningClient({ ...options, transport });
  try {
    await client.version(options.signal ? { signal: options.signal } : {});
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  return client;
}
