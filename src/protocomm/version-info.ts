/**
 * The `proto-ver` reply of the wifi_provisioning manager (protocol.md §3.3): a JSON document printed the way
 * cJSON's *formatted* printer prints it, so that a device built on this library is byte-identical to an ESP32.
 */

export interface AppVersionInfo {
  ver: string;
  cap: string[];
}

export interface VersionInfo {
  prov: {
    /** Manager protocol version, "v1.1" on every release so far. */
    ver: string;
    /** sec_ver; omitted by v4.x managers (protocol.md §3.3 "Older formats"). */
    secVer?: number;
    /** sec_patch_ver; omitted before v5.5 and its back-ports (absent ⇒ clients assume 0). */
    secPatchVer?: number;
    cap: string[];
  };
  /** Application entries (wifi_prov_mgr_set_app_info); printed before "prov", in insertion order. */
  apps?: Record<string, AppVersionInfo>;
}

/** Objects keep insertion order as a list of members (a JS object would reorder numeric-looking keys). */
type JsonObject = { members: Array<[string, JsonValue]> };
type JsonValue = string | number | JsonValue[] | JsonObject;

/** cJSON escapes only `"`, `\` and control characters; other bytes (also non-ASCII) pass through. */
function printString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\f":
        out += "\\f";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      default:
        out += code < 0x20 ? `\\u${code.toString(16).padStart(4, "0")}` : ch;
    }
  }
  return `${out}"`;
}

function printValue(value: JsonValue, depth: number): string {
  if (typeof value === "string") return printString(value);
  // cJSON prints integral numbers without decimals ("%d"); only small integers occur here.
  if (typeof value === "number") return String(value);
  // Formatted arrays stay on one line: "[a, b]" (empty: "[]").
  if (Array.isArray(value)) return `[${value.map((item) => printValue(item, depth + 1)).join(", ")}]`;
  const entries = value.members;
  if (entries.length === 0) return "{\n" + "\t".repeat(depth) + "}";
  const indent = "\t".repeat(depth + 1);
  const members = entries.map(([key, member], index) => {
    const comma = index < entries.length - 1 ? "," : "";
    return `${indent}${printString(key)}:\t${printValue(member, depth + 1)}${comma}\n`;
  });
  return `{\n${members.join("")}${"\t".repeat(depth)}}`;
}

/** Builds the exact `proto-ver` reply body (no trailing newline), e.g. version_strings.json `mgr_sec1_pop`. */
export function formatVersionInfo(info: VersionInfo): string {
  const root: JsonObject = { members: [] };
  for (const [label, app] of Object.entries(info.apps ?? {})) {
    root.members.push([
      label,
      {
        members: [
          ["ver", app.ver],
          ["cap", [...app.cap]],
        ],
      },
    ]);
  }
  const prov: JsonObject = { members: [["ver", info.prov.ver]] };
  if (info.prov.secVer !== undefined) prov.members.push(["sec_ver", info.prov.secVer]);
  if (info.prov.secPatchVer !== undefined) prov.members.push(["sec_patch_ver", info.prov.secPatchVer]);
  prov.members.push(["cap", [...info.prov.cap]]);
  root.members.push(["prov", prov]);
  return printValue(root, 0);
}
