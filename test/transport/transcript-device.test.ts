// Replays real esp_prov runs (http_transcript_sec0/sec1.json) against the device server: the client's exact
// bytes go in, the device's exact bytes must come out (protocol.md §2.1, §2.3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Protocomm } from "../../src/protocomm/index.js";
import { DeviceHttpServer } from "../../src/transport/index.js";
import { silentLogger } from "../../src/logger.js";
import type { DeviceSecurity } from "../../src/security/types.js";
import { sec0Like } from "../protocomm/helpers/fake-security.js";
import { createDeviceSecurity } from "../../src/security/index.js";
import { loadVector } from "../helpers/vectors.js";
import { RawClient } from "./helpers/raw-client.js";
import { loadTranscript, type Exchange } from "./helpers/transcript.js";

const versions = loadVector<Record<string, string>>("version_strings.json");

/** A security scheme that replays the transcript's handshake replies and passes ciphertext through. */
function scriptedSecurity(version: 0 | 1, handshakes: Exchange[]): DeviceSecurity {
  let step = 0;
  return {
    version,
    patchVersion: 0,
    createSession: () => ({
      version,
      established: true,
      handshake(request) {
        const exchange = handshakes[step++]!;
        assert.deepEqual(Buffer.from(request), exchange.requestBody);
        return new Uint8Array(exchange.responseBody);
      },
      encrypt: (p) => p,
      decrypt: (c) => c,
      close() {},
    }),
  };
}

async function replay(name: string, version: 0 | 1, versionString: string, sec0?: DeviceSecurity) {
  const { exchanges, cookie } = loadTranscript(name);
  const security =
    version === 0
      ? (sec0 ?? sec0Like())
      : scriptedSecurity(
          1,
          exchanges.filter((e) => e.endpoint === "prov-session"),
        );
  const protocomm = new Protocomm({ security, logger: silentLogger });
  protocomm.setVersionEndpoint("proto-ver", versionString);
  protocomm.setSecurityEndpoint("prov-session");
  const configReplies = exchanges.filter((e) => e.endpoint === "prov-config");
  let n = 0;
  protocomm.addEndpoint("prov-config", (request) => {
    const exchange = configReplies[n++]!;
    assert.deepEqual(Buffer.from(request), exchange.requestBody, "handler sees the (deciphered) body");
    return new Uint8Array(exchange.responseBody);
  });
  const server = new DeviceHttpServer({
    protocomm,
    logger: silentLogger,
    randomSessionId: () => Number(cookie.slice("session=".length)),
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  try {
    const client = await RawClient.open(port);
    for (const exchange of exchanges) {
      client.write(exchange.request);
      assert.equal(
        await client.response(),
        exchange.response.toString("latin1"),
        `reply to /${exchange.endpoint}`,
      );
    }
    // esp_prov exits: half-close; the device closes its side too without sending anything.
    client.end();
    assert.equal(await client.closed(), "");
  } finally {
    await server.close();
  }
  return exchanges;
}

test("sec0 transcript: every device byte reproduced (proto-ver JSON, Set-Cookie, handshake, config)", async () => {
  const exchanges = await replay("http_transcript_sec0.json", 0, versions.mgr_sec0!);
  assert.equal(exchanges.length, 6);
});

test("sec0 transcript with the real sec0 scheme of src/security", async () => {
  await replay("http_transcript_sec0.json", 0, versions.mgr_sec0!, createDeviceSecurity({ version: 0 }));
});

test("sec1 transcript: framing, cookie and proto-ver reply bytes", async () => {
  const exchanges = await replay("http_transcript_sec1.json", 1, versions.mgr_sec1_pop!);
  assert.equal(exchanges[0]!.responseBody.toString("latin1"), versions.mgr_sec1_pop);
});
