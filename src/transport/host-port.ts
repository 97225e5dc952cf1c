/**
 * The one host:port parser of the package, for the client's service name, the HTTP transport and the device's
 * --listen. Pure: no node imports, so the browser build can use it too.
 *
 * Accepted: `host:port`, `host` (default port), `[v6]:port`, `[v6]`, `http://host:port[/]`, and a bare `PORT`
 * where the caller allows it (a listen address; the host is then the caller's default).
 * A v6 address must be bracketed when a port follows: `::1:8080` is ambiguous, so it is refused with the
 * bracketed spelling as the hint rather than guessed.
 */
import { UsageError } from "../errors.js";

export interface HostPort {
  /** A name or an address; IPv6 without brackets. */
  host: string;
  port: number;
}

export interface ParseHostPortOptions {
  /** Port when none is written. Without it a port is required. */
  defaultPort?: number;
  /** Host for a bare `PORT` (e.g. "127.0.0.1" for a listen address). Without it a bare number is refused. */
  barePortHost?: string;
  /** Allow port 0 ("any free port", for listening). Default false. */
  allowPortZero?: boolean;
  /** Names the input in errors, e.g. "--service_name" or "--listen". Default "address". */
  what?: string;
  /** An example for the hint. Default "192.168.4.1:80". */
  example?: string;
}

function isV6(host: string): boolean {
  return host.includes(":");
}

/** Parses one address; throws UsageError naming `what` with a spelling that works. */
export function parseHostPort(text: string, options: ParseHostPortOptions = {}): HostPort {
  const what = options.what ?? "address";
  const example = options.example ?? "192.168.4.1:80";
  const bad = (why: string, hint = `write it as host:port, e.g. ${example} (IPv6: [::1]:8080)`) =>
    new UsageError(`${what}: ${why} (got ${JSON.stringify(text)})`, { hint });
  if (typeof text !== "string" || text.trim() === "") throw bad("an address is required");
  let rest = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== "http") {
      throw bad(`only plain http is spoken, not ${scheme[1]}`, `write it as host:port, e.g. ${example}`);
    }
    rest = rest.slice(scheme[0].length).replace(/\/+$/, "");
    if (rest.includes("/")) throw bad("a path is not part of the address", `drop the path: ${example}`);
  }
  if (/^\d+$/.test(rest) && options.barePortHost !== undefined) {
    return { host: options.barePortHost, port: checkPort(rest, options, bad) };
  }
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\](?::(\d*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
    if (!isV6(host)) throw bad("brackets are only for IPv6 addresses");
  } else if (rest.startsWith("[")) {
    throw bad("unbalanced or invalid IPv6 brackets");
  } else {
    const colons = rest.split(":").length - 1;
    if (colons > 1) {
      throw bad(
        "an IPv6 address needs brackets",
        `write [${rest.replace(/:(\d+)$/, "")}]:PORT, e.g. [::1]:8080`,
      );
    }
    const i = rest.indexOf(":");
    host = i < 0 ? rest : rest.slice(0, i);
    portText = i < 0 ? undefined : rest.slice(i + 1);
    if (host === "" || /[\s/\\@?#[\]]/.test(host)) throw bad("not a host name or address");
  }
  if (portText === undefined || portText === "") {
    if (portText === "" || options.defaultPort === undefined) throw bad("a port is required");
    return { host, port: options.defaultPort };
  }
  return { host, port: checkPort(portText, options, bad) };
}

function checkPort(text: string, options: ParseHostPortOptions, bad: (why: string) => UsageError): number {
  if (!/^\d{1,5}$/.test(text)) throw bad("the port must be a number 1–65535");
  const port = Number(text);
  const min = options.allowPortZero ? 0 : 1;
  if (port < min || port > 65535) throw bad(`the port must be a number ${min}–65535`);
  return port;
}

/** `host:port`, with brackets around an IPv6 host (what esp_prov's --service_name and Host headers take). */
export function formatHostPort(address: HostPort): string {
  return isV6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * The address a client on this machine can connect to for a listening address: a wildcard (`0.0.0.0`, `::`)
 * accepts connections but is not a destination, so it becomes the loopback of the same family.
 */
export function connectableAddress(listening: HostPort): HostPort {
  if (listening.host === "0.0.0.0" || listening.host === "")
    return { host: "127.0.0.1", port: listening.port };
  if (listening.host === "::" || listening.host === "::0") return { host: "::1", port: listening.port };
  return listening;
}
