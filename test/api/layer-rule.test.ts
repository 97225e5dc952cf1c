// The layer rule (eslint.config.js) is enforced: a lower layer importing a higher one, or browser-bundled code
// importing a Node module, is a lint error, so `npm test` fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ESLint } from "eslint";

const eslint = new ESLint();

async function errorsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

test("a lower layer importing a higher one is a lint error", async () => {
  const crypto = await errorsFor(
    "src/crypto/x.ts",
    'import { connect } from "../client/index.js";\nvoid connect;\n',
  );
  assert.match(crypto.join("\n"), /src\/crypto must not import src\/client/);
  const client = await errorsFor(
    "src/client/x.ts",
    'import { createDevice } from "../device/create-device.js";\nvoid createDevice;\n',
  );
  assert.match(client.join("\n"), /src\/client must not import src\/device/);
  assert.deepEqual(
    await errorsFor(
      "src/device/x.ts",
      'import { ProtocolError } from "../errors.js";\nvoid ProtocolError;\n',
    ),
    [],
  );
});

test("code in the browser bundle importing a Node module is a lint error; Node-only files may", async () => {
  const security = await errorsFor(
    "src/security/x.ts",
    'import { randomBytes } from "node:crypto";\nvoid randomBytes;\n',
  );
  assert.match(security.join("\n"), /browser bundle/);
  assert.deepEqual(
    await errorsFor("src/transport/x-server.ts", 'import net from "node:net";\nvoid net;\n'),
    [],
  );
});

test("src/networkmanager is shared by the radio, join and fleet, but not the browser client", async () => {
  const client = await errorsFor(
    "src/client/x.ts",
    'import { NmBus } from "../networkmanager/nm-bus.js";\nvoid NmBus;\n',
  );
  assert.match(client.join("\n"), /src\/client must not import src\/networkmanager/);
  for (const file of ["src/join/x.ts", "src/fleet/x.ts", "src/cli/x.ts"]) {
    assert.deepEqual(
      await errorsFor(file, 'import { NmBus } from "../networkmanager/nm-bus.js";\nvoid NmBus;\n'),
      [],
      file,
    );
  }
  assert.deepEqual(
    await errorsFor(
      "src/wifi/networkmanager/x.ts",
      'import { NmBus } from "../../networkmanager/nm-bus.js";\nvoid NmBus;\n',
    ),
    [],
  );
  const shared = await errorsFor(
    "src/networkmanager/x.ts",
    'import { SimulatedRadio } from "../wifi/simulated-radio.js";\nvoid SimulatedRadio;\n',
  );
  assert.match(shared.join("\n"), /shared modules import no layer/);
  const join = await errorsFor(
    "src/join/x.ts",
    'import { NetworkManagerRadio } from "../wifi/networkmanager/index.js";\nvoid NetworkManagerRadio;\n',
  );
  assert.match(join.join("\n"), /src\/join must not import src\/wifi/);
});
