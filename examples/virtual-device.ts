// Embed a virtual device in a test or an app: `npx tsx examples/virtual-device.ts`.
import { startVirtualDevice } from "wifiprov/device";
import { connect } from "wifiprov";

const device = await startVirtualDevice({
  listen: { host: "127.0.0.1", port: 0 }, // ephemeral port
  security: { version: 2, username: "wifiprov", password: "abcd1234" },
  timeScale: 0.05, // the simulated radio runs 20× faster than real time
});
console.log(`device ${device.softApSsid} on ${device.serviceName}, QR ${device.qrPayload}`);

const client = await connect({ serviceName: device.serviceName });
const session = await client.establishSession({ username: "wifiprov", password: "abcd1234" });
console.log(`session: security ${session.securityVersion}, patch ${session.patchVersion}`);
for (const ap of await client.scan())
  console.log(`  ${ap.ssid.padEnd(16)} ch ${ap.channel} ${ap.rssi} dBm ${ap.authName}`);
await client.setConfig({ ssid: "myssid", passphrase: "mypassword" });
await client.applyConfig();
console.log(await client.waitForConnection({ timeoutMs: 10_000 }));
await client.close();
await device.close();
