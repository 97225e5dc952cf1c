/**
 * A deliberately small reader for D-Bus introspection XML (NetworkManager's interface files, or the answer of
 * org.freedesktop.DBus.Introspectable.Introspect): interfaces with their methods, properties and signals, and
 * a check of NmApi entries against what it read.
 */
import type { NmMember } from "../../src/networkmanager/nm-api.js";

export interface XmlInterface {
  methods: Map<string, { in: string; out: string }>;
  properties: Map<string, string>;
  signals: Map<string, string>;
}

export function parseInterfaces(
  text: string,
  into = new Map<string, XmlInterface>(),
): Map<string, XmlInterface> {
  const xml = text.replace(/<!--[\s\S]*?-->/g, "");
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
    into.set(iface[1]!, entry);
  }
  return into;
}

/** What is wrong with `member` (named `key` in NmApi) against `iface`, or undefined when it matches. */
export function memberProblem(
  key: string,
  member: NmMember,
  iface: XmlInterface | undefined,
): string | undefined {
  const where = `${key}: ${member.interface}.${member.member}`;
  if (iface === undefined) return `${where}: no such interface`;
  if (member.kind === "method") {
    const real = iface.methods.get(member.member);
    if (real === undefined) return `${where}: no such method`;
    if (real.in !== member.in || real.out !== member.out) {
      return `${where}: signature (${member.in}) → (${member.out}), NetworkManager has (${real.in}) → (${real.out})`;
    }
  } else if (member.kind === "property") {
    const real = iface.properties.get(member.member);
    if (real === undefined) return `${where}: no such property`;
    if (real !== member.type) return `${where}: type ${member.type}, NetworkManager has ${real}`;
  } else {
    const real = iface.signals.get(member.member);
    if (real === undefined) return `${where}: no such signal`;
    if (real !== member.args) return `${where}: args ${member.args}, NetworkManager has ${real}`;
  }
  return undefined;
}
