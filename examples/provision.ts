// Provision a device from Node: run `npm start` in another terminal first (a virtual device on
// 127.0.0.1:8080), then `npx tsx examples/provision.ts`. Against a real ESP32, join its PROV_xxxxxx SoftAP
// and use serviceName "192.168.4.1:80".
import { provision } from "wifiprov";

const result = await provision({
  serviceName: "127.0.0.1:8080",
  pop: "abcd1234", // security level and patch level are read from the device's proto-ver
  ssid: "myssid",
  passphrase: "mypassword",
  onProgress: (event) => console.error(event),
});

switch (result.outcome.state) {
  case "connected":
    console.log(`joined ${result.outcome.ssid}, IP ${result.outcome.ip}`);
    break;
  case "failed":
    console.log(`device could not join: ${result.outcome.reason}`); // AuthError | NetworkNotFound
    process.exitCode = 1;
    break;
  default:
    console.log(`outcome: ${result.outcome.state}`);
    process.exitCode = 1;
}
