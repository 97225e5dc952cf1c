/**
 * A fleet manifest: one row per device, how to reach it and its secrets. CSV with a header line, or JSON
 * lines (one object per line, what `wifiprov device --count N --manifest-out` writes). Columns: `service_name`
 * (host:port), `name` (optional label, e.g. the SoftAP SSID), `pop`, `sec2_username`, `sec2_pwd`, `qrcode`
 * (an Espressif QR payload; fills name and secrets), per-row `ssid`/`passphrase` overriding the target
 * network, and `join` (+ `softap_password`): the device's SoftAP, which the laptop joins first (without
 * service_name the device is then provisioned at ESP's 192.168.4.1:80). A bad row is reported with its line number; the others still run.
 */
import { parseQrPayload } from "../client/qr.js";
import { checkServiceName } from "../client/client.js";

export interface FleetDevice {
  /** 1-based line of the manifest the row came from. */
  line: number;
  /** Identity of the device in journal and report: its service name. */
  key: string;
  serviceName: string;
  name?: string;
  pop?: string;
  username?: string;
  password?: string;
  ssid?: string;
  passphrase?: string;
  /** The device's SoftAP, joined from the laptop before provisioning (`join` column). */
  join?: string;
  /** Its WPA2 password (`softap_password` column; default: PROV_PASS when secured). */
  softApPassword?: string;
}

/** ESP's SoftAP address: where a row that only names a SoftAP to join is provisioned. */
export const SOFTAP_SERVICE_NAME = "192.168.4.1:80";

export interface ManifestProblem {
  line: number;
  message: string;
}

export interface Manifest {
  devices: FleetDevice[];
  problems: ManifestProblem[];
}

const COLUMNS = new Set([
  "service_name",
  "name",
  "pop",
  "sec2_username",
  "sec2_pwd",
  "qrcode",
  "ssid",
  "passphrase",
  "security",
  "join",
  "softap_password",
]);

/** RFC 4180 fields of one line: commas, double quotes, "" for a quote inside a quoted field. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error("a quoted field is not closed");
  fields.push(field);
  return fields.map((f) => f.trim());
}

function rowToDevice(row: Record<string, unknown>, line: number): FleetDevice {
  const text = (key: string): string | undefined => {
    const value = row[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string" && typeof value !== "number") throw new Error(`${key} must be text`);
    return String(value);
  };
  for (const key of Object.keys(row)) {
    if (!COLUMNS.has(key)) throw new Error(`unknown column ${JSON.stringify(key)}`);
  }
  const qr = text("qrcode");
  const fromQr = qr === undefined ? undefined : parseQrPayload(qr);
  const given = text("service_name");
  const join = text("join");
  if (given === undefined && join === undefined)
    throw new Error("service_name is missing (host:port of the device), and no SoftAP to join");
  if (join !== undefined && (Buffer.byteLength(join) > 32 || join.trim() !== join))
    throw new Error(`join must be a SoftAP name of 1–32 bytes (got ${JSON.stringify(join)})`);
  // A row that only names its SoftAP is provisioned at ESP's address once joined; its identity is the SoftAP.
  const serviceName = given !== undefined ? checkServiceName(given) : SOFTAP_SERVICE_NAME;
  const device: FleetDevice = { line, key: given !== undefined ? serviceName : join!, serviceName };
  if (join !== undefined) device.join = join;
  const softApPassword = text("softap_password");
  if (softApPassword !== undefined) {
    if (join === undefined) throw new Error("softap_password is only used with join");
    device.softApPassword = softApPassword;
  }
  const name = text("name") ?? fromQr?.name;
  const pop = text("pop") ?? (fromQr?.username === undefined ? fromQr?.pop : undefined);
  const username = text("sec2_username") ?? fromQr?.username;
  const password = text("sec2_pwd") ?? (fromQr?.username !== undefined ? fromQr.pop : undefined);
  if (name !== undefined) device.name = name;
  if (pop !== undefined) device.pop = pop;
  if (username !== undefined) device.username = username;
  if (password !== undefined) device.password = password;
  const ssid = text("ssid");
  const passphrase = text("passphrase");
  if (ssid !== undefined) device.ssid = ssid;
  if (passphrase !== undefined) device.passphrase = passphrase;
  return device;
}

export function parseManifest(content: string): Manifest {
  const lines = content.split(/\r?\n/);
  const devices: FleetDevice[] = [];
  const problems: ManifestProblem[] = [];
  const seen = new Map<string, number>();
  const firstLine = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  const jsonLines = firstLine !== -1 && lines[firstLine]!.trim().startsWith("{");
  let header: string[] | undefined;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    try {
      let row: Record<string, unknown>;
      if (jsonLines) {
        const parsed: unknown = JSON.parse(trimmed);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          throw new Error("each line must be one JSON object");
        }
        row = parsed as Record<string, unknown>;
      } else if (header === undefined) {
        header = csvFields(trimmed);
        const unknown = header.filter((h) => !COLUMNS.has(h));
        if (unknown.length > 0) throw new Error(`unknown column(s) ${unknown.join(", ")} in the header`);
        if (!header.includes("service_name")) throw new Error("the header has no service_name column");
        return;
      } else {
        const fields = csvFields(trimmed);
        // Fewer fields than the header: the rest are empty (spreadsheets drop trailing commas); more is an error.
        if (fields.length > header.length) {
          throw new Error(`${fields.length} fields, but the header has ${header.length}`);
        }
        row = Object.fromEntries(header.map((h, i) => [h, fields[i]]));
      }
      const device = rowToDevice(row, line);
      const earlier = seen.get(device.key);
      if (earlier !== undefined) throw new Error(`the same device as line ${earlier} (${device.key})`);
      const sameSoftAp = device.join !== undefined ? seen.get(`join:${device.join}`) : undefined;
      if (sameSoftAp !== undefined) throw new Error(`the same SoftAP as line ${sameSoftAp} (${device.join})`);
      seen.set(device.key, line);
      if (device.join !== undefined) seen.set(`join:${device.join}`, line);
      devices.push(device);
    } catch (error) {
      problems.push({ line, message: error instanceof Error ? error.message : String(error) });
    }
  });
  return { devices, problems };
}

/** JSON lines, the format `parseManifest` reads back. Contains secrets: write it with mode 0600. */
export function formatManifest(rows: readonly object[]): string {
  return rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
}
