/**
 * Handshake cost per security scheme and role. One handshake = every message of that role (device:
 * handle Cmd0 + Cmd1; client: begin + both replies). The peer's messages are precomputed: the timed side
 * draws the same "random" bytes every time, so its peer's answers stay valid while all of its own
 * computation (key generation, X25519, SRP exponentiations, proofs) is redone on every iteration.
 */
import type { BenchRow } from "./run.js";
import { measure } from "./measure.js";
import { createClientSession, createDeviceSecurity, generateSec2Credentials } from "../src/security/index.js";
import type { ClientSessionOptions, DeviceSecurityOptions } from "../src/security/index.js";
import { repeatingRandom, transcript } from "./handshake-fixture.js";

export const name = "security handshakes";

interface Scheme {
  label: string;
  device: DeviceSecurityOptions;
  client: ClientSessionOptions;
  goalDevice?: string;
  goalClient?: string;
}

export async function run(): Promise<BenchRow[]> {
  const { salt, verifier } = generateSec2Credentials("wifiprov", "abcd1234");
  const schemes: Scheme[] = [
    { label: "sec0", device: { version: 0 }, client: { version: 0 } },
    {
      label: "sec1",
      device: { version: 1, pop: "abcd1234" },
      client: { version: 1, pop: "abcd1234" },
      goalDevice: "goal < 0.3 ms",
    },
    {
      label: "sec2",
      device: { version: 2, patchVersion: 1, salt, verifier },
      client: { version: 2, patchVersion: 1, username: "wifiprov", password: "abcd1234" },
      goalDevice: "goal < 5 ms",
      goalClient: "goal < 10 ms",
    },
  ];
  const rows: BenchRow[] = [];
  for (const s of schemes) {
    // Device timed: the client's requests are fixed because the device's randomness repeats.
    const deviceOptions = { ...s.device, random: repeatingRandom() } as DeviceSecurityOptions;
    const security = createDeviceSecurity(deviceOptions);
    const toDevice = transcript(deviceOptions, s.client).filter((_, i) => i % 2 === 0);
    const dev = await measure(
      () => {
        const session = security.createSession();
        for (const request of toDevice) session.handshake(request);
        if (!session.established) throw new Error("device handshake did not complete");
      },
      { durationMs: 1000 },
    );
    rows.push(
      { name: `${s.label} device handshake`, value: dev.perSecond, unit: "ops/s" },
      {
        name: `${s.label} device CPU per handshake`,
        value: dev.cpuMsPerOp,
        unit: "ms",
        ...(s.goalDevice ? { note: s.goalDevice } : {}),
      },
    );

    // Client timed: the device's replies are fixed because the client's randomness repeats.
    const clientOptions = { ...s.client, random: repeatingRandom() } as ClientSessionOptions;
    const toClient = transcript(s.device, clientOptions).filter((_, i) => i % 2 === 1);
    const cli = await measure(
      () => {
        const session = createClientSession(clientOptions);
        session.begin();
        for (const reply of toClient) session.next(reply);
        if (!session.established) throw new Error("client handshake did not complete");
      },
      { durationMs: 1000 },
    );
    rows.push(
      { name: `${s.label} client handshake`, value: cli.perSecond, unit: "ops/s" },
      {
        name: `${s.label} client CPU per handshake`,
        value: cli.cpuMsPerOp,
        unit: "ms",
        ...(s.goalClient ? { note: s.goalClient } : {}),
      },
    );
  }
  return rows;
}
