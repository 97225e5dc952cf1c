/**
 * The captive portal page: the provisioning flow of the apps, in the browser of any phone, on the device's
 * own origin over plain HTTP. It runs this package's client (bundled with the pure-JS crypto port, since a
 * plain-HTTP page has no crypto.subtle), so under security 1/2 the Wi-Fi password is encrypted to the device
 * exactly as the apps do it. Every string that comes from the device or the air (SSIDs are 32 arbitrary
 * bytes) is shown with textContent, never parsed as HTML.
 */
/// <reference lib="dom" />
import {
  AuthenticationError,
  connect,
  DeviceStatusError,
  ErrorCodes,
  LockedOutError,
  UsageError,
  WifiProvError,
} from "../src/browser.js";
import type { ConnectionOutcome, DeviceVersion, ProvisioningClient, ScanEntry } from "../src/browser.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const STEPS = ["login", "networks", "join", "progress", "done", "failed"] as const;
type Step = (typeof STEPS)[number];

/** Secrets from a QR link (`/#pop=…&username=…`): the fragment never reaches the server. */
const fragment = new URLSearchParams(location.hash.slice(1));
if (location.hash.length > 1) history.replaceState(null, "", location.pathname);

let client: ProvisioningClient | undefined;
let version: DeviceVersion | undefined;
let deviceName = "the device";
let networks: ScanEntry[] = [];
let chosen: ScanEntry | undefined;
let generation = 0;

/** Tabs of this page share the cookie, hence the device's one session: a new handshake in one ends the other. */
const tabId = Math.random().toString(36).slice(2);
const channel = "BroadcastChannel" in globalThis ? new BroadcastChannel("wifiprov-portal") : undefined;
let sessionLive = false;
channel?.addEventListener("message", (event: MessageEvent<{ type: string; tab: string }>) => {
  if (event.data.type !== "session" || event.data.tab === tabId || !sessionLive) return;
  sessionLive = false;
  generation++;
  problem(
    "This setup was taken over by another tab or window showing this page: the device keeps one session at " +
      "a time, and it now belongs to the other tab. Continue there, or press Retry to continue here instead.",
  );
});

function show(step: Step | undefined): void {
  for (const s of STEPS) $(`step-${s}`).hidden = s !== step;
  if (step !== undefined) {
    $("retry-row").hidden = true;
    if (step !== "login" && step !== "join") $("alert").hidden = true;
  }
}

function alertText(text: string | undefined): void {
  $("alert").hidden = text === undefined;
  $("alert").textContent = text ?? "";
}

/** A failure the flow cannot continue from: say what happened, offer Retry (a fresh connection + session). */
function problem(text: string): void {
  show(undefined);
  alertText(text);
  $("retry-row").hidden = false;
  $<HTMLButtonElement>("retry").focus();
}

function isLinkFailure(err: unknown): boolean {
  if (!(err instanceof WifiProvError)) return true;
  const codes: string[] = [
    ErrorCodes.TRANSPORT,
    ErrorCodes.TIMEOUT,
    ErrorCodes.CLOSED_WITHOUT_REPLY,
    ErrorCodes.HTTP_STATUS,
    ErrorCodes.SESSION,
    ErrorCodes.PROTOCOL,
  ];
  return codes.includes(err.code);
}

function lost(err: unknown): void {
  if (isLinkFailure(err)) {
    problem(
      `${deviceName} stopped answering (${err instanceof Error ? err.message : String(err)}). It may have ` +
        "restarted, another phone may have started setting it up, or this phone may have left its Wi-Fi. " +
        `Check that this phone is connected to the Wi-Fi "${deviceName}", then press Retry.`,
    );
  } else {
    problem(err instanceof Error ? err.message : String(err));
  }
}

function securityLevel(v: DeviceVersion): 0 | 1 | 2 | undefined {
  if (v.securityVersion !== undefined) return v.securityVersion;
  return v.capabilities.includes("no_sec") ? 0 : undefined;
}

function describeSecurity(v: DeviceVersion): { text: string; needs: "none" | "pop" | "srp" } {
  const level = securityLevel(v);
  if (level === 0) {
    return {
      text: "Security 0: this device uses no encryption. The Wi-Fi password you enter travels in clear over its setup Wi-Fi.",
      needs: "none",
    };
  }
  if (level === 2) {
    return {
      text: "Security 2 (SRP): enter the username and password printed on the device or its QR code. The Wi-Fi password is then encrypted to the device.",
      needs: "srp",
    };
  }
  if (v.capabilities.includes("no_pop")) {
    return {
      text: "Security 1 without a proof of possession: the Wi-Fi password is encrypted, but any device nearby could have answered in its place.",
      needs: "none",
    };
  }
  return {
    text: "Security 1: enter the proof of possession (PoP) printed on the device or its QR code. The Wi-Fi password is then encrypted to the device.",
    needs: "pop",
  };
}

async function start(): Promise<void> {
  const run = ++generation;
  sessionLive = false;
  show(undefined);
  alertText(undefined);
  $("subtitle").textContent = "Connecting to the device…";
  await client?.close().catch(() => {});
  client = undefined;
  // The device's name and its version (proto-ver) are asked for at once, not one after the other: the form
  // waits for both, and each is a round trip over the SoftAP.
  const named = fetch("/portal/device.json", { cache: "no-store" })
    .then((r) => r.json() as Promise<{ name?: string }>)
    .then((info) => {
      if (typeof info.name === "string" && info.name.length > 0) deviceName = info.name;
    })
    .catch(() => {
      // An older build serves no name: the page still works.
    })
    .then(() => {
      if (run === generation) $("title").textContent = `Set up ${deviceName}`;
    });
  try {
    // connect() has asked for the version already; version() returns that answer.
    const [opened] = await Promise.all([connect({ timeoutMs: 10_000 }), named]);
    version = await opened.version();
    if (run !== generation) return void opened.close();
    client = opened;
  } catch (err) {
    if (run === generation) lost(err);
    return;
  }
  const security = describeSecurity(version);
  $("subtitle").textContent =
    `Security ${securityLevel(version) ?? "unknown"} · ${version.protocolVersion ?? ""}`.trim();
  $("security-text").textContent = security.text;
  $("trust-note").textContent =
    "What this page protects: " +
    (security.needs === "none"
      ? "nothing more than the device itself offers."
      : "your Wi-Fi password is encrypted on this phone to the device, which proves itself with the credentials above.") +
    " What it cannot: this page itself came over the device's open setup Wi-Fi, so it is trusted on first use — use it only for a device you are setting up right now.";
  $("pop-field").hidden = security.needs !== "pop";
  $("srp-fields").hidden = security.needs !== "srp";
  if (input("pop").value === "") input("pop").value = fragment.get("pop") ?? "";
  if (input("username").value === "") input("username").value = fragment.get("username") ?? "";
  if (input("password").value === "")
    input("password").value = fragment.get("password") ?? fragment.get("pop") ?? "";
  show("login");
  // Performance marks for `npm run bench` (bench/portal.bench.ts): navigation → form ready → session.
  performance.mark("wifiprov:ready");
  if (security.needs === "none") {
    $("login-button").textContent = "Continue";
  }
  const first =
    security.needs === "pop"
      ? input("pop")
      : security.needs === "srp"
        ? input("username")
        : $("login-button");
  first.focus();
}

async function login(): Promise<void> {
  const c = client;
  const v = version;
  if (c === undefined || v === undefined) return void start();
  const run = generation;
  const needs = describeSecurity(v).needs;
  alertText(undefined);
  $("login-button").setAttribute("disabled", "");
  performance.mark("wifiprov:login");
  try {
    await c.establishSession(
      needs === "pop"
        ? { pop: input("pop").value }
        : needs === "srp"
          ? { username: input("username").value, password: input("password").value }
          : {},
    );
    if (run !== generation) return;
    performance.mark("wifiprov:session");
    sessionLive = true;
    channel?.postMessage({ type: "session", tab: tabId });
    await scan();
  } catch (err) {
    if (run !== generation) return;
    if (err instanceof AuthenticationError) {
      alertText(
        needs === "srp"
          ? "The device did not accept this username and password. Check them (on the device's label or QR code) and try again."
          : "The device did not accept this proof of possession (PoP). Check it (on the device's label or QR code) and try again.",
      );
      // The device drops the session after a failed proof: the next try starts a new one.
      (needs === "srp" ? input("password") : input("pop")).select();
    } else if (err instanceof LockedOutError) {
      alertText(
        "Too many wrong attempts: the device refuses new ones for a while. Wait a few seconds, then try again.",
      );
    } else if (err instanceof UsageError) {
      alertText(err.message);
    } else {
      lost(err);
    }
  } finally {
    $("login-button").removeAttribute("disabled");
  }
}

function bars(rssi: number): HTMLElement {
  const level = rssi >= -55 ? 4 : rssi >= -65 ? 3 : rssi >= -75 ? 2 : 1;
  const el = document.createElement("span");
  el.className = "bars";
  el.setAttribute("aria-hidden", "true");
  for (let i = 1; i <= 4; i++) {
    const bar = document.createElement("i");
    bar.style.height = `${25 * i}%`;
    if (i <= level) bar.className = "on";
    el.append(bar);
  }
  return el;
}

/** A padlock drawn inline (no emoji: phone fonts differ, and nothing may be fetched). */
function lockIcon(locked: boolean): Element {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  if (locked) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7zm2 0h4V5a2 2 0 0 0-4 0z");
    path.setAttribute("fill", "currentColor");
    svg.append(path);
  }
  return svg;
}

function signalWords(rssi: number): string {
  return rssi >= -55
    ? "excellent signal"
    : rssi >= -65
      ? "good signal"
      : rssi >= -75
        ? "fair signal"
        : "weak signal";
}

function renderNetworks(): void {
  const list = $("networks");
  list.replaceChildren();
  for (const entry of networks) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "net";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = entry.ssid;
    const lock = lockIcon(entry.auth !== 0);
    button.append(bars(entry.rssi), name, lock);
    button.setAttribute(
      "aria-label",
      `${entry.ssid}, ${signalWords(entry.rssi)}, ${entry.auth === 0 ? "open" : `secured (${entry.authName})`}`,
    );
    button.addEventListener("click", () => choose(entry));
    item.append(button);
    list.append(item);
  }
}

async function scan(): Promise<void> {
  const c = client;
  if (c === undefined) return void start();
  const run = generation;
  show("networks");
  $("scan-status").textContent = "Looking for Wi-Fi networks…";
  $("rescan").setAttribute("disabled", "");
  try {
    const found = await c.scan();
    if (run !== generation) return;
    // One line per name, the strongest access point first; hidden networks have no name to show.
    const best = new Map<string, ScanEntry>();
    for (const e of found) {
      if (e.ssidBytes.length === 0) continue;
      const prev = best.get(e.ssid);
      if (prev === undefined || e.rssi > prev.rssi) best.set(e.ssid, e);
    }
    networks = [...best.values()].sort((a, b) => b.rssi - a.rssi);
    $("scan-status").textContent =
      networks.length === 0
        ? "No networks found. Scan again, or choose Other network… to type a name."
        : `${networks.length} network${networks.length === 1 ? "" : "s"} found.`;
    renderNetworks();
  } catch (err) {
    if (run !== generation) return;
    if (err instanceof WifiProvError && err.code === ErrorCodes.UNSUPPORTED) {
      $("scan-status").textContent = "This device cannot scan: type the network's name.";
      networks = [];
      renderNetworks();
    } else return lost(err);
  } finally {
    $("rescan").removeAttribute("disabled");
  }
  (document.querySelector<HTMLButtonElement>("#networks button") ?? $("other-network")).focus();
}

function choose(entry: ScanEntry | undefined): void {
  chosen = entry;
  show("join");
  alertText(undefined);
  $("ssid-field").hidden = entry !== undefined;
  $("ssid-chosen").hidden = entry === undefined;
  $("ssid-chosen-name").textContent = entry?.ssid ?? "";
  input("passphrase").value = "";
  $("join-security").textContent =
    entry === undefined
      ? "For a hidden network, type its exact name. Leave the password empty for an open network."
      : entry.auth === 0
        ? "This network is open: leave the password empty."
        : `Secured with ${entry.authName}.`;
  (entry === undefined ? input("ssid") : input("passphrase")).focus();
}

const REASONS = {
  AuthError: (ssid: string) =>
    `The network "${ssid}" refused the password. Check it (letters are case-sensitive) and try again.`,
  NetworkNotFound: (ssid: string) =>
    `${deviceName} could not find the network "${ssid}". Check the name, and that the device is within range of it.`,
};

async function join(): Promise<void> {
  const c = client;
  if (c === undefined) return void start();
  const run = generation;
  const ssid = chosen?.ssidBytes ?? input("ssid").value;
  const ssidText = chosen?.ssid ?? input("ssid").value;
  const config = { ssid, passphrase: input("passphrase").value };
  show("progress");
  $("progress-text").textContent = `Sending the network to ${deviceName}…`;
  let outcome: ConnectionOutcome;
  try {
    try {
      await c.setConfig(config);
      await c.applyConfig();
    } catch (err) {
      // After a failed join a v5.1+ device refuses to apply new credentials until told to reset (prov-ctrl,
      // §8.6). Only then is prov-ctrl used: on an older device without it, the request would desynchronise
      // the cipher.
      if (!(err instanceof DeviceStatusError)) throw err;
      await c.reset();
      await c.setConfig(config);
      await c.applyConfig();
    }
    $("progress-text").textContent = `${deviceName} is connecting to "${ssidText}"…`;
    outcome = await c.waitForConnection({
      onProgress: (event) => {
        if (run !== generation) return;
        const text = $("progress-text");
        if (event.type === "status" && event.status.state === "connecting") {
          const left = event.status.attemptsRemaining;
          text.textContent =
            `${deviceName} is connecting to "${ssidText}"…` +
            (left !== undefined ? ` (attempts remaining: ${left})` : "");
        } else if (event.type === "unreachable") {
          text.textContent = `${deviceName} is not answering for the moment (it may be switching channels); still waiting…`;
        }
      },
    });
  } catch (err) {
    if (run !== generation) return;
    if (err instanceof UsageError) {
      show("join");
      return alertText(err.message);
    }
    if (err instanceof DeviceStatusError) {
      show("join");
      return alertText(
        `${deviceName} refused the network settings (${err.message}). Press Back and try again.`,
      );
    }
    return lost(err);
  }
  if (run !== generation) return;
  sessionLive = false;
  if (outcome.state === "connected") {
    $("done-ssid").textContent = outcome.ssid || ssidText;
    $("done-ip").textContent = outcome.ip;
    show("done");
    return;
  }
  let reason: string;
  if (outcome.state === "failed") reason = REASONS[outcome.reason](ssidText);
  else if (outcome.state === "timeout")
    reason = `${deviceName} was still connecting when this page stopped waiting.`;
  else {
    reason =
      `${deviceName} stopped answering while it joined "${ssidText}". If it joined, it has closed its setup Wi-Fi ` +
      "and you are done; if not, reconnect this phone to its Wi-Fi and try again.";
  }
  sessionLive = true;
  $("failed-text").textContent = reason;
  show("failed");
  $<HTMLButtonElement>("try-again").focus();
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void login();
});
$("join-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void join();
});
$("show-passphrase").addEventListener("change", () => {
  input("passphrase").type = input("show-passphrase").checked ? "text" : "password";
});
$("rescan").addEventListener("click", () => void scan());
$("other-network").addEventListener("click", () => choose(undefined));
$("join-back").addEventListener("click", () => {
  show("networks");
  (document.querySelector<HTMLButtonElement>("#networks button") ?? $("other-network")).focus();
});
$("try-again").addEventListener("click", () => choose(chosen));
$("retry").addEventListener("click", () => void start());
void start();
