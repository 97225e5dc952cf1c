// Every NetworkManager member the backend uses (NmApi) exists with that signature in NetworkManager's own interface
// XML (Debian's network-manager-dev), so neither the backend nor the mock can drift from the real API unnoticed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NmApi } from "../../../src/wifi/networkmanager/nm-api.js";
import type { NmMember } from "../../../src/wifi/networkmanager/nm-api.js";
import { needsSystemPackage } from "../../helpers/system.js";

const DIR = "/usr/share/dbus-1/interfaces";

interface XmlInterface {
  methods: Map<string, { in: string; out: string }>;
  properties: Map<string, string>;
  signals: Map<string, string>;
}

/** A deliberately small reader for D-Bus introspection XML: interfaces, their methods, properties and signals. */
function readInterfaces(): Map<string, XmlInterface> {
  const result = new Map<string, XmlInterface>();
  for (const file of readdirSync(DIR).filter((f) => f.startsWith("org.freedesktop.NetworkManager"))) {
    const xml = readFileSync(join(DIR, file), "utf8").replace(/<!--[\s\S]*?-->/g, "");
    for (const iface of xml.matchAll(/<interface\s+name="([^"]+)"\s*>([\s\S]*?)<\/interface>/g)) {
      const entry: XmlInterface = { methods: new Map(), properties: new Map(), signals: new Map() };
      const body = iface[2]!;
      for (const m of body.matchAll(/<method\s+name="([^"]+)"\s*(\/>|>([\s\S]*?)<\/method>)/g)) {
        const args = [...(m[3] ?? "").matchAll(/<arg\s([^>]*)\/?>/g)].map((a) => a[1]!);
        const typeOf = (attrs: string) => /type="([^"]+)"/.exec(attrs)![1]!;
        const dir = (attrs: string) => /direction="([^"]+)"/.exec(attrs)?.[1] ?? "in";
        entry.methods.set(m[1]!, {
          in: args
            .filter((a) => dir(a) === "in")
            .map(typeOf)
            .join(""),
          out: args
            .filter((a) => dir(a) === "out")
            .map(typeOf)
            .join(""),
        });
      }
      for (const p of body.matchAll(/<property\s([^>]*?)\/?>/g)) {
        const name = /name="([^"]+)"/.exec(p[1]!)![1]!;
        entry.properties.set(name, /type="([^"]+)"/.exec(p[1]!)![1]!);
      }
      for (const s of body.matchAll(/<signal\s+name="([^"]+)"\s*(\/>|>([\s\S]*?)<\/signal>)/g)) {
        const types = [...(s[3] ?? "").matchAll(/<arg\s[^>]*type="([^"]+)"/g)].map((a) => a[1]!);
        entry.signals.set(s[1]!, types.join(""));
      }
      result.set(iface[1]!, entry);
    }
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
      const iface = interfaces.get(member.interface);
      const where = `${key}: ${member.interface}.${member.member}`;
      if (iface === undefined) {
        problems.push(`${where}: no such interface`);
        continue;
      }
      if (member.kind === "method") {
        const real = iface.methods.get(member.member);
        if (real === undefined) problems.push(`${where}: no such method`);
        else if (real.in !== member.in || real.out !== member.out) {
          problems.push(
            `${where}: signature (${member.in}) → (${member.out}), NetworkManager has (${real.in}) → (${real.out})`,
          );
        }
      } else if (member.kind === "property") {
        const real = iface.properties.get(member.member);
        if (real === undefined) problems.push(`${where}: no such property`);
        else if (real !== member.type)
          problems.push(`${where}: type ${member.type}, NetworkManager has ${real}`);
      } else {
        const real = iface.signals.get(member.member);
        if (real === undefined) problems.push(`${where}: no such signal`);
        else if (real !== member.args)
          problems.push(`${where}: args ${member.args}, NetworkManager has ${real}`);
      }
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
