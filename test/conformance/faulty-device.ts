/**
 * A test double that breaks one protocol rule at a time, built from the device's own parts and leaving them
 * unchanged: a real wifiprov device (createDevice, simulated radio) runs security 0 behind a capture transport,
 * and an outer protocomm + DeviceHttpServer in front of it does the security and the HTTP — that outer
 * layer is where each fault is injected. Without a fault it is a well-behaved idf-v5.5 sec2 patch-1 device.
 */
import net from "node:net";
import { createDevice } from "../../src/device/create-device.js";
import type {
  ProvisioningTransport,
  ProvisioningTransportContext,
} from "../../src/device/provisioning-transport.js";
import { MemoryStateStore } from "../../src/device/memory-store.js";
import { AuthenticationError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import {
  Status,
  WiFiConfigPayloadSchema,
  WiFiCtrlMsgType,
  WiFiCtrlPayloadSchema,
  WiFiScanPayloadSchema,
  decode,
  encode,
} from "../../src/proto/index.js";
import { Protocomm } from "../../src/protocomm/index.js";
import { createDeviceSecurity, generateSec2Credentials } from "../../src/security/index.js";
import type { DeviceSecurity, DeviceSecuritySession } from "../../src/security/index.js";
import { defaultRandomBytes } from "../../src/crypto/random.js";
import { DeviceHttpServer } from "../../src/transport/index.js";
import { SimulatedRadio } from "../../src/wifi/simulated-radio.js";
import { scaledClock } from "../../src/clock.js";
import { variantSec2Security } from "./srp-variant-security.js";
import type { Sec2Variant } from "./srp-variant-security.js";

export type Fault =
  | "none"
  /** Answers HTTP 200 (empty body) instead of closing when the client's proof is wrong. */
  | "200-on-wrong-proof"
  /** sec2 patch 1, but each reply is encrypted with the nonce of the request it answers. */
  | "nonce-reuse"
  /** Never sets the session cookie (v4.0 behaviour) while claiming v5.5. */
  | "no-cookie"
  /** Crashes (stops serving) on a ScanResult past the end of the list, as ESP-IDF v5.5 does. */
  | "scan-crash"
  /** Crashes on the first wrong proof: a device dying mid-run. */
  | "crash-on-wrong-proof"
  /** Serves one request per TCP read and drops the rest of what the read returned (a pipelined request). */
  | "drops-pipelined"
  /** One open socket without LRU purge: a second connection waits until the first one closes. */
  | "no-lru-purge"
  /** A request-target limit of 256 bytes instead of the release's 512. */
  | "short-uri-limit"
  /** A request with a cookie that opens a new session gets no Set-Cookie (the client keeps the stale one). */
  | "stale-cookie-no-set-cookie"
  /** custom-data answers in plaintext whatever the session, before any handshake. */
  | "unprotected-endpoint"
  /** Takes a 383-byte SRP A (esp_prov's MIN(A)) that the release refuses. */
  | "srp-accepts-minimal-a"
  /** Sends a B with a leading zero padded to 384 bytes (and hashes those bytes). */
  | "srp-pads-b"
  /** Derives K from PAD(S) instead of MIN(S). */
  | "srp-pads-s"
  /** Reports Connected with an empty ip4_addr. */
  | "connected-without-ip"
  /** Answers CtrlReset with InternalError even in the failed state. */
  | "reset-refused-when-failed"
  /** Keeps serving after reporting Connected although auto-stop is on. */
  | "keeps-serving";

/** Fixed SRP credentials and device private value b, so that every handshake has the same B (tests force B). */
export interface ForcedSrp {
  salt: Uint8Array;
  verifier: Uint8Array;
  b: Uint8Array;
}

export const USERNAME = "wifiprov";
export const PASSWORD = "abcd1234";
const INNER_SESSION = 1;

class CaptureTransport implements ProvisioningTransport {
  context: ProvisioningTransportContext | undefined;
  /** The inner device ended provisioning (auto-stop after success): the outer server goes too. */
  onStop: () => void = () => {};
  async start(context: ProvisioningTransportContext) {
    this.context = context;
    return { serviceName: "inner" };
  }
  async stop() {
    this.onStop();
  }
}

/** Two sessions fed the same handshake and the same random bytes: one decrypts, the lagging one encrypts. */
function nonceReusingSecurity(salt: Uint8Array, verifier: Uint8Array): DeviceSecurity {
  return {
    version: 2,
    patchVersion: 1,
    createSession(): DeviceSecuritySession {
      const drawn: Uint8Array[] = [];
      const record = (n: number) => {
        const bytes = defaultRandomBytes(n);
        // A copy: the session wipes its secrets after use.
        drawn.push(Uint8Array.from(bytes));
        return bytes;
      };
      const replay = (n: number) => drawn.shift() ?? new Uint8Array(n);
      const make = (random: (n: number) => Uint8Array) =>
        createDeviceSecurity({ version: 2, patchVersion: 1, salt, verifier, random }).createSession();
      const reader = make(record);
      const writer = make(replay);
      return {
        version: 2,
        get established() {
          return reader.established;
        },
        handshake(request) {
          const reply = reader.handshake(request);
          writer.handshake(request);
          return reply;
        },
        decrypt: (body) => reader.decrypt(body),
        // The writer's counter only moves on replies, so reply k goes out with the nonce request k used.
        encrypt: (plain) => writer.encrypt(plain),
        close() {
          reader.close();
          writer.close();
        },
      };
    },
  };
}

function proofTolerantSecurity(inner: DeviceSecurity, onWrongProof: () => Uint8Array): DeviceSecurity {
  return {
    version: inner.version,
    patchVersion: inner.patchVersion,
    createSession() {
      const session = inner.createSession();
      return {
        version: session.version,
        get established() {
          return session.established;
        },
        handshake(request) {
          try {
            return session.handshake(request);
          } catch (err) {
            if (err instanceof AuthenticationError) return onWrongProof();
            throw err;
          }
        },
        encrypt: (p) => session.encrypt(p),
        decrypt: (b) => session.decrypt(b),
        close: () => session.close(),
      };
    },
  };
}

export interface FaultyDevice {
  serviceName: string;
  close(): Promise<void>;
}

export async function startFaultyDevice(
  fault: Fault,
  options: { srp?: ForcedSrp } = {},
): Promise<FaultyDevice> {
  const clock = scaledClock(0.01);
  const radio = new SimulatedRadio({
    mac: Uint8Array.of(0x24, 0x0a, 0xc4, 1, 2, 3),
    clock,
    logger: silentLogger,
  });
  const capture = new CaptureTransport();
  const device = await createDevice({
    radio,
    store: new MemoryStateStore(),
    transports: [capture],
    security: { version: 0 },
    compat: "idf-v5.5",
    clock,
    logger: silentLogger,
    handshakeGuard: false,
  });
  const inner = capture.context!.protocomm;
  inner.openSession(INNER_SESSION);

  const { salt, verifier } = options.srp ?? generateSec2Credentials(USERNAME, PASSWORD);
  const forcedB = options.srp?.b;
  // Draws of 32 bytes are the device's SRP private value b (session2.ts draw order).
  const random = (n: number) => (n === forcedB?.length ? Uint8Array.from(forcedB) : defaultRandomBytes(n));
  const honest = createDeviceSecurity({ version: 2, patchVersion: 1, salt, verifier, random });
  const variant = (v: Sec2Variant) => variantSec2Security(salt, verifier, v, random);
  // Filled in once the server listens; the faults that crash it are only reached after that.
  const running: { server?: DeviceHttpServer } = {};
  const crash = () => {
    void running.server?.close();
  };
  if (fault !== "keeps-serving") capture.onStop = crash;
  const security =
    fault === "nonce-reuse"
      ? nonceReusingSecurity(salt, verifier)
      : fault === "200-on-wrong-proof"
        ? proofTolerantSecurity(honest, () => new Uint8Array(0))
        : fault === "crash-on-wrong-proof"
          ? proofTolerantSecurity(honest, () => {
              crash();
              throw new Error("crashed");
            })
          : fault === "srp-accepts-minimal-a"
            ? variant({ acceptMinimalA: true })
            : fault === "srp-pads-b"
              ? variant({ padB: true })
              : fault === "srp-pads-s"
                ? variant({ padS: true })
                : honest;

  // The inner device announces security 0; the outer one does sec2 patch 1, so say that instead.
  const innerVersion = new TextDecoder().decode(
    await inner.handle(INNER_SESSION, "proto-ver", new Uint8Array(1)),
  );
  const doc = JSON.parse(innerVersion) as {
    prov: { sec_ver: number; sec_patch_ver?: number; cap: string[] };
  };
  doc.prov.sec_ver = 2;
  doc.prov.sec_patch_ver = 1;
  doc.prov.cap = doc.prov.cap.filter((c) => c !== "no_sec");
  const outer = new Protocomm({ security, logger: silentLogger });
  outer.setVersionEndpoint("proto-ver", JSON.stringify(doc));
  outer.setSecurityEndpoint("prov-session");
  let resultCount = 0;
  if (fault === "unprotected-endpoint") outer.setVersionEndpoint("custom-data", "SUCCESS\0");
  for (const name of ["prov-config", "prov-scan", "prov-ctrl", "custom-data"]) {
    if (outer.hasEndpoint(name)) continue;
    outer.addEndpoint(name, async (plain) => {
      if (name === "prov-scan" && fault === "scan-crash") {
        const req = decode(WiFiScanPayloadSchema, plain);
        if (req.payload.case === "cmdScanResult") {
          const { startIndex, count } = req.payload.value;
          if (startIndex + count > resultCount) {
            crash();
            throw new Error("crashed");
          }
        }
      }
      if (name === "prov-ctrl" && fault === "reset-refused-when-failed") {
        const req = decode(WiFiCtrlPayloadSchema, plain);
        if (req.payload.case === "cmdCtrlReset") {
          return encode(WiFiCtrlPayloadSchema, {
            msg: WiFiCtrlMsgType.TypeRespCtrlReset,
            status: Status.InternalError,
            payload: { case: "respCtrlReset", value: {} },
          });
        }
      }
      let reply = await inner.handle(INNER_SESSION, name, plain);
      if (name === "prov-config" && fault === "connected-without-ip") {
        const r = decode(WiFiConfigPayloadSchema, reply);
        if (r.payload.case === "respGetStatus" && r.payload.value.state.case === "connected") {
          r.payload.value.state.value.ip4Addr = "";
          reply = encode(WiFiConfigPayloadSchema, r);
        }
      }
      if (name === "prov-scan") {
        const r = decode(WiFiScanPayloadSchema, reply);
        if (r.payload.case === "respScanStatus") resultCount = r.payload.value.resultCount;
      }
      return reply;
    });
  }
  const server = new DeviceHttpServer({
    protocomm: outer,
    cookies: fault !== "no-cookie",
    maxHeaderBytes: 1024,
    ...(fault === "short-uri-limit" ? { maxUriBytes: 256 } : {}),
    logger: silentLogger,
  });
  running.server = server;
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  const proxy = PROXY_FAULTS.has(fault) ? await startProxy(fault, address.port) : undefined;
  return {
    serviceName: `127.0.0.1:${proxy?.port ?? address.port}`,
    close: async () => {
      await proxy?.close();
      await server.close();
      await device.close();
      await radio.close();
    },
  };
}

const PROXY_FAULTS: ReadonlySet<Fault> = new Set([
  "drops-pipelined",
  "no-lru-purge",
  "stale-cookie-no-set-cookie",
]);

/** Bytes of the request starting at `data[0]` (head + Content-Length), or undefined while the head is incomplete. */
function requestLength(data: Buffer): number | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.toString("latin1", 0, end));
  return end + 4 + Number(length?.[1] ?? 0);
}

/**
 * A TCP proxy in front of the well-behaved server that breaks one HTTP rule on the way: the faults that live
 * in an HTTP server's socket handling rather than in protocomm.
 */
async function startProxy(fault: Fault, upstreamPort: number) {
  const sockets = new Set<net.Socket>();
  let active: net.Socket | undefined;
  const waiting: Array<() => void> = [];
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("error", () => {});
    const serve = () => {
      if (client.destroyed) {
        waiting.shift()?.();
        return;
      }
      active = client;
      const upstream = net.connect(upstreamPort, "127.0.0.1");
      sockets.add(upstream);
      upstream.on("error", () => client.destroy());
      let pending = Buffer.alloc(0);
      /** Bytes of the current request still to forward (the part after a head that spans reads). */
      let rest = 0;
      let lastHadCookie = false;
      client.on("data", (chunk: Buffer) => {
        if (fault !== "drops-pipelined" && fault !== "stale-cookie-no-set-cookie") {
          upstream.write(chunk);
          return;
        }
        let data = Buffer.concat([pending, chunk]);
        pending = Buffer.alloc(0);
        if (rest > 0) {
          const n = Math.min(rest, data.length);
          upstream.write(data.subarray(0, n));
          rest -= n;
          data = data.subarray(n);
          if (rest > 0 || fault === "drops-pipelined") return;
        }
        while (data.length > 0) {
          const length = requestLength(data);
          if (length === undefined) {
            pending = data;
            return;
          }
          lastHadCookie = /\r\ncookie:/i.test(data.toString("latin1", 0, data.indexOf("\r\n\r\n")));
          const n = Math.min(length, data.length);
          upstream.write(data.subarray(0, n));
          rest = length - n;
          data = data.subarray(n);
          // The fault: whatever else this read returned is lost.
          if (fault === "drops-pipelined") return;
        }
      });
      upstream.on("data", (chunk: Buffer) => {
        if (fault === "stale-cookie-no-set-cookie" && lastHadCookie) {
          client.write(chunk.toString("latin1").replace(/Set-Cookie: [^\r]*\r\n/, ""), "latin1");
        } else {
          client.write(chunk);
        }
      });
      upstream.on("close", () => client.destroy());
      client.on("close", () => {
        upstream.destroy();
        sockets.delete(client);
        if (active === client) {
          active = undefined;
          waiting.shift()?.();
        }
      });
    };
    // Without LRU purge a second connection is accepted by the kernel but not served until the first closes.
    if (fault === "no-lru-purge" && active !== undefined) {
      waiting.push(serve);
      client.on("close", () => sockets.delete(client));
    } else {
      serve();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
