/**
 * A minimal provisioning client for the device's end-to-end tests, built only from lower layers (client-role
 * security session + HttpClientTransport + plaintext protobuf), so the device is tested independently of
 * src/client.
 */
import assert from "node:assert/strict";
import {
  decode,
  encode,
  Status,
  WiFiConfigMsgType,
  WiFiConfigPayloadSchema,
  WiFiCtrlMsgType,
  WiFiCtrlPayloadSchema,
  WiFiScanMsgType,
  WiFiScanPayloadSchema,
} from "../../src/proto/index.js";
import type { RespGetStatus, WiFiScanResult } from "../../src/proto/index.js";
import { createClientSession } from "../../src/security/index.js";
import type { ClientSecuritySession, ClientSessionOptions } from "../../src/security/index.js";
import { HttpClientTransport } from "../../src/transport/index.js";
import { realClock } from "../../src/clock.js";
import type { LogFields, Logger } from "../../src/logger.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

export class ProvClient {
  readonly transport: HttpClientTransport;
  readonly #security: ClientSessionOptions;
  readonly #pollIntervalMs: number;
  readonly #betweenPolls: (() => Promise<void>) | undefined;
  #session: ClientSecuritySession | undefined;

  /**
   * `pollIntervalMs`: pause between GetStatus polls (default 3 ms); 0 polls again on the next turn of the
   * event loop, which is the interval of a time-scale-0 device's own clock (the benchmarks use it).
   * `betweenPolls`: what to do between polls instead, for a device in this process on a VirtualClock (advance
   * it): time then passes only on the device's clock. The real pause is for devices in other processes, whose
   * clock no test reaches; like esp_prov, polling GetStatus is the only way to learn the outcome.
   */
  constructor(
    serviceName: string,
    security: ClientSessionOptions,
    options: { pollIntervalMs?: number; betweenPolls?: () => Promise<void> } = {},
  ) {
    this.transport = new HttpClientTransport({ serviceName, timeoutMs: 10_000 });
    this.#security = security;
    this.#pollIntervalMs = options.pollIntervalMs ?? 3;
    this.#betweenPolls = options.betweenPolls;
  }

  async version(body = "none"): Promise<string> {
    return new TextDecoder().decode(await this.transport.send("proto-ver", utf8(body)));
  }

  async handshake(): Promise<void> {
    const session = createClientSession(this.#security);
    let request: Uint8Array | null = session.begin();
    while (request !== null) request = session.next(await this.transport.send("prov-session", request));
    this.#session = session;
  }

  async request(endpoint: string, plain: Uint8Array): Promise<Uint8Array> {
    const session = this.#session;
    assert.ok(session, "handshake first");
    return session.decrypt(await this.transport.send(endpoint, session.encrypt(plain)));
  }

  async customData(text: string): Promise<Uint8Array> {
    return this.request("custom-data", utf8(text));
  }

  async setConfig(ssid: string, passphrase: string): Promise<Status> {
    const reply = decode(
      WiFiConfigPayloadSchema,
      await this.request(
        "prov-config",
        encode(WiFiConfigPayloadSchema, {
          msg: WiFiConfigMsgType.TypeCmdSetConfig,
          payload: { case: "cmdSetConfig", value: { ssid: utf8(ssid), passphrase: utf8(passphrase) } },
        }),
      ),
    );
    assert.equal(reply.payload.case, "respSetConfig");
    return reply.payload.value.status;
  }

  async applyConfig(): Promise<Status> {
    const reply = decode(
      WiFiConfigPayloadSchema,
      await this.request(
        "prov-config",
        encode(WiFiConfigPayloadSchema, { msg: WiFiConfigMsgType.TypeCmdApplyConfig }),
      ),
    );
    assert.equal(reply.payload.case, "respApplyConfig");
    return reply.payload.value.status;
  }

  async getStatus(): Promise<RespGetStatus> {
    const reply = decode(
      WiFiConfigPayloadSchema,
      await this.request(
        "prov-config",
        encode(WiFiConfigPayloadSchema, { payload: { case: "cmdGetStatus", value: {} } }),
      ),
    );
    assert.equal(reply.payload.case, "respGetStatus");
    return reply.payload.value;
  }

  /** Polls GetStatus until it leaves Connecting; returns every reply seen. */
  async pollUntilSettled(timeoutMs = 20_000): Promise<RespGetStatus[]> {
    const seen: RespGetStatus[] = [];
    const end = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.getStatus();
      seen.push(status);
      if (status.staState !== 1) return seen;
      if (Date.now() > end) throw new Error("device stayed in Connecting");
      if (this.#betweenPolls !== undefined) await this.#betweenPolls();
      else await realClock.sleep(this.#pollIntervalMs);
    }
  }

  async provision(ssid: string, passphrase: string): Promise<RespGetStatus[]> {
    assert.equal(await this.setConfig(ssid, passphrase), Status.Success);
    assert.equal(await this.applyConfig(), Status.Success);
    return this.pollUntilSettled();
  }

  async scan(): Promise<WiFiScanResult[]> {
    const start = decode(
      WiFiScanPayloadSchema,
      await this.request(
        "prov-scan",
        encode(WiFiScanPayloadSchema, {
          payload: { case: "cmdScanStart", value: { blocking: true, groupChannels: 5, periodMs: 120 } },
        }),
      ),
    );
    assert.equal(start.status, Status.Success);
    const status = decode(
      WiFiScanPayloadSchema,
      await this.request(
        "prov-scan",
        encode(WiFiScanPayloadSchema, { msg: WiFiScanMsgType.TypeCmdScanStatus }),
      ),
    );
    assert.equal(status.payload.case, "respScanStatus");
    const count = status.payload.value.resultCount;
    const results = decode(
      WiFiScanPayloadSchema,
      await this.request(
        "prov-scan",
        encode(WiFiScanPayloadSchema, {
          msg: WiFiScanMsgType.TypeCmdScanResult,
          payload: { case: "cmdScanResult", value: { startIndex: 0, count } },
        }),
      ),
    );
    assert.equal(results.status, Status.Success);
    assert.equal(results.payload.case, "respScanResult");
    return results.payload.value.entries;
  }

  async ctrl(kind: "reset" | "reprov"): Promise<Status> {
    const msg = kind === "reset" ? WiFiCtrlMsgType.TypeCmdCtrlReset : WiFiCtrlMsgType.TypeCmdCtrlReprov;
    const reply = decode(
      WiFiCtrlPayloadSchema,
      await this.request("prov-ctrl", encode(WiFiCtrlPayloadSchema, { msg })),
    );
    assert.equal(reply.msg, msg + 1);
    return reply.status;
  }

  async close(): Promise<void> {
    this.#session?.close();
    await this.transport.close();
  }
}

/** A logger that keeps every line, for asserting log lines and that no secret leaks. */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  debug(m: string, f?: LogFields) {
    this.lines.push(`D ${m}${f ? " " + JSON.stringify(f) : ""}`);
  }
  info(m: string, f?: LogFields) {
    this.lines.push(`I ${m}${f ? " " + JSON.stringify(f) : ""}`);
  }
  warn(m: string, f?: LogFields) {
    this.lines.push(`W ${m}${f ? " " + JSON.stringify(f) : ""}`);
  }
  error(m: string, f?: LogFields) {
    this.lines.push(`E ${m}${f ? " " + JSON.stringify(f) : ""}`);
  }
  has(fragment: string): boolean {
    return this.lines.some((l) => l.includes(fragment));
  }
  text(): string {
    return this.lines.join("\n");
  }
}
