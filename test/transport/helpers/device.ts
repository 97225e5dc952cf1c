/** Starts a DeviceHttpServer on 127.0.0.1:0 with a protocomm using a test-only security scheme. */
import { Protocomm } from "../../../src/protocomm/index.js";
import { DeviceHttpServer, type DeviceHttpServerOptions } from "../../../src/transport/index.js";
import { silentLogger } from "../../../src/logger.js";
import type { DeviceSecurity } from "../../../src/security/types.js";
import { fakeSecurity, xor, type FakeSecurity } from "../../protocomm/helpers/fake-security.js";

export interface TestDevice {
  server: DeviceHttpServer;
  protocomm: Protocomm;
  security: FakeSecurity;
  port: number;
  /** Session ids handed out so far. */
  ids: number[];
  close(): Promise<void>;
}

/**
 * Endpoints: proto-ver (plain "V0.1"), prov-session (fake handshake "ok"), echo (returns "<sessionId>:<n>:<body>"
 * with a per-session counter so a continued cipher state is visible), fail (always throws).
 */
export async function startVirtualDevice(
  options: Partial<Omit<DeviceHttpServerOptions, "protocomm">> & { security?: DeviceSecurity } = {},
): Promise<TestDevice> {
  const security = (options.security as FakeSecurity | undefined) ?? fakeSecurity(1);
  const protocomm = new Protocomm({ security, logger: silentLogger });
  protocomm.setVersionEndpoint("proto-ver", "V0.1");
  protocomm.setSecurityEndpoint("prov-session");
  const counters = new Map<number, number>();
  protocomm.addEndpoint("echo", (request, ctx) => {
    const n = (counters.get(ctx.sessionId) ?? 0) + 1;
    counters.set(ctx.sessionId, n);
    return new TextEncoder().encode(`${ctx.sessionId}:${n}:${new TextDecoder().decode(request)}`);
  });
  protocomm.addEndpoint("fail", () => {
    throw new Error("handler failed");
  });
  const ids: number[] = [];
  let next = 1000;
  const server = new DeviceHttpServer({
    protocomm,
    logger: silentLogger,
    randomSessionId: () => {
      ids.push(++next);
      return next;
    },
    ...options,
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, protocomm, security, port, ids, close: () => server.close() };
}

export const enc = (text: string) => xor(new TextEncoder().encode(text));
export const dec = (text: string) => new TextDecoder().decode(xor(Buffer.from(text, "latin1")));
