/**
 * A private D-Bus bus with a mock NetworkManager on it, for tests: `dbus-daemon` on a unix socket in a temp dir
 * (standing in for the system bus through DBUS_SYSTEM_BUS_ADDRESS) and python-dbusmock running our template
 * (wifiprov_nm.py beside this file, which extends dbusmock's stock "networkmanager" template). Readiness is the
 * bus address printed by dbus-daemon and then NetworkManager's bus name being owned; nothing sleeps. `stop()`
 * ends both processes and waits for them, so no stray process outlives a test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import dbus from "@particle/dbus-next";
import { endProcess, firstLine, trackForExit } from "../child-processes.js";
import { privateBusConfig } from "../private-bus.js";
import { needsSystemPackage } from "../system.js";

/** Debian's python3-dbusmock is installed for the system Python, not for any other python3 on PATH. */
const PYTHON = "/usr/bin/python3";
const TEMPLATE = fileURLToPath(new URL("./wifiprov_nm.py", import.meta.url));
const NM_NAME = "org.freedesktop.NetworkManager";
const MOCK_IFACE = "org.freedesktop.DBus.Mock";

export interface MockNetwork {
  ssid?: string;
  /** SSID bytes as hex, for SSIDs that are not UTF-8. */
  ssid_hex?: string;
  psk?: string;
  bssid: string;
  frequency?: number;
  strength?: number;
  security?: "open" | "wpa" | "wpa2" | "wpa3";
  /** The station's address once joined. */
  ip?: string;
}

export interface MockBehaviour {
  /** The Wireless device has no LastScan property (NetworkManager before 1.12). */
  omit_last_scan?: boolean;
  /** Activations never progress: no state signal ever comes. */
  silent_activation?: boolean;
  /** Activated connections have no Ip4Config object. */
  no_ip4config?: boolean;
  /** RequestScan fails as on a device that is not ready. */
  scan_refused?: boolean;
  /** Delay between NetworkManager's steps, ms (default 5). */
  step_ms?: number;
  /** Milliseconds before a join to an SSID nobody broadcasts fails with SSID_NOT_FOUND. Default 1000. */
  not_found_ms?: number;
  /** polkit says no: adding, deleting, activating and deactivating profiles fail with PermissionDenied. */
  permission_denied?: boolean;
  /** The dnsmasq-shared.d directory a shared (AP) activation "reads"; logged as a dnsmasq-started entry. */
  dnsmasq_shared_dir?: string;
  /** Manager methods polkit refuses with PermissionDenied (laptop side: AddAndActivateConnection2, ...). */
  deny?: string[];
}

/** A saved profile already active on an interface when the mock starts (the laptop's home network). */
export interface MockActiveProfile {
  iface: string;
  ssid: string;
  psk?: string;
  /** Profile id (default: the SSID). */
  id?: string;
}

/** What is active on an interface now (see WifiprovActiveOn in wifiprov_nm.py). */
export interface MockActiveOn {
  id: string;
  ssid: string;
  /** NMActiveConnectionState: 1 activating, 2 activated. */
  state: number;
  persist: string;
}

export interface MockNmOptions {
  /** `state`: an NMDeviceState number (10 unmanaged, 20 unavailable; default 30 disconnected). */
  devices?: Array<{ iface: string; mac: string; state?: number }>;
  networks?: MockNetwork[];
  behaviour?: MockBehaviour;
  /** Only the private bus: nobody owns NetworkManager's name (the test brings its own, e.g. a silent one). */
  withoutNetworkManager?: boolean;
  /** Profiles active when the mock starts (their networks must be in `networks`). */
  active?: MockActiveProfile[];
}

/** One entry of the mock's log (see wifiprov_nm.py: add-connection, activate, request-scan, ...). */
export interface MockLogEntry {
  event: string;
  [field: string]: unknown;
}

/** `{ skip }` for tests that need dbus-daemon, python3-dbusmock and NetworkManager's interface XML. */
export function needsMockNm(): { skip?: string } {
  for (const [pkg, probe] of [
    ["dbus", "dbus-daemon"],
    ["python3-dbusmock", "/usr/lib/python3/dist-packages/dbusmock/__init__.py"],
    ["network-manager-dev", "/usr/share/dbus-1/interfaces/org.freedesktop.NetworkManager.xml"],
  ] as const) {
    const result = needsSystemPackage(pkg, probe);
    if (result.skip !== undefined) return result;
  }
  return {};
}

export class MockNetworkManager {
  readonly #dir: string;
  readonly #daemon: ChildProcess;
  #mock: ChildProcess | undefined;
  #control: dbus.MessageBus | undefined;
  readonly address: string;
  #stopped = false;

  private constructor(dir: string, daemon: ChildProcess, address: string) {
    this.#dir = dir;
    this.#daemon = daemon;
    this.address = address;
  }

  /** Environment for a child process that should see this mock as its system bus. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: this.address };
  }

  static async start(options: MockNmOptions = {}): Promise<MockNetworkManager> {
    const dir = await mkdtemp(join(tmpdir(), "wifiprov-dbus-"));
    const socket = join(dir, "bus");
    const config = join(dir, "bus.conf");
    await writeFile(config, privateBusConfig(socket, "session"));
    const daemon = spawn("dbus-daemon", [`--config-file=${config}`, "--nofork", "--print-address=1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    trackForExit(daemon);
    let address: string;
    try {
      address = await firstLine(daemon, "dbus-daemon");
    } catch (error) {
      daemon.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const mock = new MockNetworkManager(dir, daemon, address);
    if (options.withoutNetworkManager === true) return mock;
    try {
      await mock.#startMock(options);
    } catch (error) {
      await mock.stop();
      throw error;
    }
    return mock;
  }

  async #startMock(options: MockNmOptions): Promise<void> {
    const control = dbus.sessionBus({ busAddress: this.address });
    this.#control = control;
    const bus = await control.getProxyObject("org.freedesktop.DBus", "/org/freedesktop/DBus");
    const daemonIface = bus.getInterface("org.freedesktop.DBus");
    const owned = new Promise<void>((resolve) => {
      daemonIface.on("NameOwnerChanged", (name: string, _old: string, owner: string) => {
        if (name === NM_NAME && owner !== "") resolve();
      });
    });
    const parameters = JSON.stringify({
      devices: options.devices ?? [{ iface: "wlan0", mac: "24:0A:C4:11:22:33" }],
      networks: options.networks ?? [],
      behaviour: options.behaviour ?? {},
      active: options.active ?? [],
    });
    const mock = spawn(PYTHON, ["-m", "dbusmock", "--system", "--template", TEMPLATE, "-p", parameters], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: this.address },
    });
    trackForExit(mock);
    this.#mock = mock;
    let stderr = "";
    mock.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    mock.stdout!.resume(); // dbusmock logs every call to stdout; nobody reads it
    const exited = once(mock, "exit").then(([code]) => {
      throw new Error(`dbusmock exited (${String(code)}) before owning ${NM_NAME}: ${stderr.trim()}`);
    });
    const alreadyOwned = (daemonIface.NameHasOwner!(NM_NAME) as Promise<boolean>).then((has) => {
      if (!has) return new Promise<void>(() => {});
    });
    await Promise.race([owned, alreadyOwned, exited]);
    exited.catch(() => {}); // a later exit is stop()'s business
  }

  /**
   * Resolves with the first entry of the mock's log (see log()) that `matches`, already logged or still to come: a
   * test waits for "NetworkManager was asked to activate the AP" as an event instead of polling.
   */
  async waitFor(matches: (entry: MockLogEntry) => boolean): Promise<MockLogEntry> {
    const control = this.#control!;
    const rule = `type='signal',interface='${MOCK_IFACE}',member='WifiprovEvent'`;
    let onMessage: ((message: dbus.Message) => void) | undefined;
    const coming = new Promise<MockLogEntry>((resolve) => {
      onMessage = (message: dbus.Message) => {
        if (message.type !== dbus.MessageType.SIGNAL || message.member !== "WifiprovEvent") return;
        const entry = JSON.parse(message.body[0] as string) as MockLogEntry;
        if (matches(entry)) resolve(entry);
      };
      control.on("message", onMessage);
    });
    try {
      await this.#daemonCall("AddMatch", [rule]);
      const already = (await this.log()).find(matches);
      return already ?? (await coming);
    } finally {
      control.off("message", onMessage!);
      await this.#daemonCall("RemoveMatch", [rule]).catch(() => {});
    }
  }

  async #daemonCall(member: string, body: string[]): Promise<void> {
    await this.#control!.call(
      new dbus.Message({
        destination: "org.freedesktop.DBus",
        path: "/org/freedesktop/DBus",
        interface: "org.freedesktop.DBus",
        member,
        signature: "s",
        body,
      }),
    );
  }

  async #call(member: string, signature = "", body: unknown[] = []): Promise<unknown> {
    const reply = await this.#control!.call(
      new dbus.Message({
        destination: NM_NAME,
        path: "/org/freedesktop",
        interface: MOCK_IFACE,
        member,
        signature,
        body,
      }),
    );
    return reply?.body[0];
  }

  /** What the mock was asked to do so far. */
  async log(): Promise<MockLogEntry[]> {
    return JSON.parse((await this.#call("WifiprovLog")) as string) as MockLogEntry[];
  }

  async setBehaviour(behaviour: MockBehaviour): Promise<void> {
    await this.#call("WifiprovSetBehaviour", "s", [JSON.stringify(behaviour)]);
  }

  async addNetwork(network: MockNetwork): Promise<void> {
    await this.#call("WifiprovAddNetwork", "s", [JSON.stringify(network)]);
  }

  /**
   * The access point goes out of range: it leaves the scan list and a join to it in progress, or a link to it,
   * fails with `reason` (NMDeviceStateReason; default 11 SUPPLICANT_TIMEOUT, what NetworkManager reports when an
   * association to an SSID it had seen takes too long).
   */
  async vanish(ssid: string, reason = 11): Promise<void> {
    await this.#call("WifiprovVanish", "su", [ssid, reason]);
  }

  /**
   * A profile someone else made (not flagged as wifiprov's), optionally activated on an interface: the state a
   * device may be found in.
   */
  async addForeignProfile(options: {
    id: string;
    ssid: string;
    psk?: string;
    mode?: "infrastructure" | "ap";
    activateOn?: string;
  }): Promise<string> {
    const v = (signature: string, value: unknown) => new dbus.Variant(signature, value);
    const settings: Record<string, Record<string, dbus.Variant>> = {
      connection: {
        id: v("s", options.id),
        uuid: v("s", crypto.randomUUID()),
        type: v("s", "802-11-wireless"),
      },
      "802-11-wireless": {
        ssid: v("ay", Buffer.from(options.ssid, "utf8")),
        mode: v("s", options.mode ?? "infrastructure"),
      },
      ipv4: { method: v("s", options.mode === "ap" ? "shared" : "auto") },
    };
    if (options.psk !== undefined) {
      settings["802-11-wireless-security"] = { "key-mgmt": v("s", "wpa-psk"), psk: v("s", options.psk) };
    }
    const call = async (path: string, iface: string, member: string, signature: string, body: unknown[]) =>
      (
        await this.#control!.call(
          new dbus.Message({ destination: NM_NAME, path, interface: iface, member, signature, body }),
        )
      )?.body[0] as string;
    const profile = await call(
      "/org/freedesktop/NetworkManager/Settings",
      "org.freedesktop.NetworkManager.Settings",
      "AddConnection",
      "a{sa{sv}}",
      [settings],
    );
    if (options.activateOn !== undefined) {
      const manager = ["/org/freedesktop/NetworkManager", "org.freedesktop.NetworkManager"] as const;
      const device = await call(...manager, "GetDeviceByIpIface", "s", [options.activateOn]);
      await call(...manager, "ActivateConnection", "ooo", [profile, device, "/"]);
    }
    return profile;
  }

  async removeNetwork(ssid: string): Promise<void> {
    await this.#call("WifiprovRemoveNetwork", "s", [ssid]);
  }

  /** The profile active on `iface` now, or null. */
  async activeOn(iface: string): Promise<MockActiveOn | null> {
    return JSON.parse((await this.#call("WifiprovActiveOn", "s", [iface])) as string) as MockActiveOn | null;
  }

  /**
   * The profiles NetworkManager holds now (Settings.ListConnections), each with its id and wifiprov role (undefined
   * for profiles that are not wifiprov's): what "NetworkManager left as it was found" is checked against.
   */
  async profiles(): Promise<Array<{ path: string; id: string; role: string | undefined }>> {
    const ask = async (path: string, iface: string, member: string) =>
      (
        await this.#control!.call(
          new dbus.Message({ destination: NM_NAME, path, interface: iface, member, signature: "", body: [] }),
        )
      )?.body[0] as unknown;
    const paths = (await ask(
      "/org/freedesktop/NetworkManager/Settings",
      "org.freedesktop.NetworkManager.Settings",
      "ListConnections",
    )) as string[];
    const out: Array<{ path: string; id: string; role: string | undefined }> = [];
    for (const path of paths) {
      const settings = (await ask(
        path,
        "org.freedesktop.NetworkManager.Settings.Connection",
        "GetSettings",
      )) as Record<string, Record<string, dbus.Variant>>;
      const data = settings.user?.data?.value as Record<string, string> | undefined;
      out.push({ path, id: String(settings.connection?.id?.value ?? ""), role: data?.["wifiprov.role"] });
    }
    return out;
  }

  /** Ends dbusmock and dbus-daemon (waiting for both) and removes the socket directory. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#control?.disconnect();
    if (this.#mock !== undefined) await endProcess(this.#mock);
    await endProcess(this.#daemon);
    await rm(this.#dir, { recursive: true, force: true });
  }
}
