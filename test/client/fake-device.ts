/** A scripted in-memory ClientTransport (sec0) and a fake clock, for polling tests without sockets or waits. */
import type { ClientTransport } from "../../src/transport/types.js";
import type { Clock } from "../../src/client/polling.js";
import { TransportError, ErrorCodes } from "../../src/errors.js";
import { loadVector, unhex } from "../helpers/vectors.js";

const plain = loadVector<Record<string, Record<string, { hex: string }>>>("protobuf_plain.json");
const versions = loadVector<Record<string, string>>("version_strings.json");
export const reply = (name: string) => unhex(plain.wifi_config![name]!.hex);

/** One scripted answer to GetStatus: a reply body, or an error to throw. */
export type Step = Uint8Array | Error;

export class ScriptedTransport implements ClientTransport {
  readonly target = "scripted device";
  readonly sent: string[] = [];
  closes = 0;
  constructor(
    readonly statusScript: Step[],
    readonly version = versions.mgr_sec0!,
  ) {}
  async send(endpoint: string, body: Uint8Array): Promise<Uint8Array> {
    this.sent.push(`${endpoint}:${Buffer.from(body).toString("hex")}`);
    switch (endpoint) {
      case "proto-ver":
        return new TextEncoder().encode(this.version);
      case "prov-session":
        return unhex("52050801aa0100");
      case "prov-config": {
        const hex = Buffer.from(body).toString("hex");
        if (hex.startsWith("0802")) return reply("RespSetConfig_Success");
        if (hex === "0804") return reply("RespApplyConfig_Success");
        const next = this.statusScript.shift() ?? reply("RespGetStatus_Connecting");
        if (next instanceof Error) throw next;
        return next;
      }
      default:
        throw new TransportError(`no /${endpoint}`, { code: ErrorCodes.HTTP_STATUS, status: 404 });
    }
  }
  async close(): Promise<void> {
    this.closes++;
  }
}

export class FakeClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
  setTimer(): () => void {
    throw new Error("the client polls with sleep(); it sets no timers");
  }
}

export const closed = () =>
  new TransportError("device closed the connection", { code: ErrorCodes.CLOSED_WITHOUT_REPLY });
export const refused = () => new TransportError("connect ECONNREFUSED");
