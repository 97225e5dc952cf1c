// Every NetworkManager member the backend uses (NmApi) exists with that signature in NetworkManager's own interface
// XML (Debian's network-manager-dev), so neither the backend nor the mock can drift from the real API unnoticed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NmApi } from "../../../src/networkmanager/nm-api.js";
import type { NmMember } from "../../../src/networkmanager/nm-api.js";
import { needsSystemPackage } from "../../helpers/system.js";
import { memberProblem, parseInterfaces } from "../../helpers/dbus-xml.js";
import type { XmlInterface } from "../../helpers/dbus-xml.js";

const DIR = "/usr/share/dbus-1/interfaces";

/** Every NetworkManager interface in Debian's network-manager-dev XML files. */
function readInterfaces(): Map<string, XmlInterface> {
  const result = new Map<string, XmlInterface>();
  for (const file of readdirSync(DIR).filter((f) => f.startsWith("org.freedesktop.NetworkManager"))) {
    parseInterfaces(readFileSync(join(DIR, file), "utf8"), result);
  }
  return result;
}

test(
  "every NetworkManager member the backend uses exists with that signature in NetworkManager's interface XML",
  needsSystemPackage("network-manager-dev", join(DIR, "org.freedesktop.NetworkManager.xml")),
  () => {
    const interfaces = readInterfaces();
    assert.ok(interfaces.size > 20, `read ${interfaces.size} interfaces from ${DIR}`);
    const problems: string[] = [];
    for (const [key, member] of Object.entries(NmApi) as Array<[string, NmMember]>) {
      const problem = memberProblem(key, member, interfaces.get(member.interface));
      if (problem !== undefined) problems.push(problem);
    }
    assert.deepEqual(problems, []);
  },
);

test(
  "the XML reader sees what it must (a drifted signature would be caught)",
  needsSystemPackage("network-manager-dev", join(DIR, "org.freedesktop.NetworkManager.xml")),
  () => {
    const manager = readInterfaces().get("org.freedesktop.NetworkManager")!;
    assert.deepEqual(manager.methods.get("AddAndActivateConnection"), { in: "a{sa{sv}}oo", out: "oo" });
    assert.equal(manager.properties.get("Version"), "s");
    assert.equal(manager.signals.get("DeviceAdded"), "o");
  },
);
