/**
 * A small typed door to NetworkManager on the system bus (`DBUS_SYSTEM_BUS_ADDRESS` when set), built on
 * @particle/dbus-next's low-level messages: calls go only through the NmApi table (nm-api.ts), every call has a
 * timeout, and D-Bus failures become WifiErrors a user can act on ("NetworkManager is not running", "polkit
 * refused ...") instead of hanging or leaking D-Bus error names.
 */
import dbus from "@particle/dbus-next";
import { realClock } from "../clock.js";
import type { Clock } from "../clock.js";
import { TimeoutError, WifiError } from "../errors.js";
import type { NmMethod, NmProperty } from "./nm-api.js";
import { NM_BUS_NAME } from "./nm-api.js";

const PROPERTIES = "org.freedesktop.DBus.Properties";

export interface NmBusOptions {
  /** A D-Bus address; default: DBUS_SYSTEM_BUS_ADDRESS or the standard system bus socket. */
  address?: string;
  /** Longest wait for one reply, ms (default 25 000, D-Bus's own default; polkit prompts can take a while). */
  callTimeoutMs?: number;
  /** The clock every timeout runs on (default real time), so tests of a silent NetworkManager need not wait. */
  clock?: Clock;
}

export interface NmSignalMessage {
  path: string;
  interface: string;
  member: string;
  body: unknown[];
}

const NOT_RUNNING_HINT =
  "start NetworkManager (systemctl start NetworkManager) and check systemctl status NetworkManager";
const PERMISSION_HINT =
  "run wifiprov as root, or let its user control NetworkManager with a polkit rule: copy deploy/50-wifiprov.rules " +
  "(in the wifiprov package) to /etc/polkit-1/rules.d/";

/** A D-Bus error with its name kept, so callers can tell "unknown connection" from a real failure. */
export class NmCallError extends WifiError {
  readonly dbusName: string;
  constructor(message: string, dbusName: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.dbusName = dbusName;
  }
}

export class NmBus {
  readonly #bus: dbus.MessageBus;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #listeners = new Set<(signal: NmSignalMessage) => void>();
  #closed = false;

  private constructor(bus: dbus.MessageBus, timeoutMs: number, clock: Clock) {
    this.#bus = bus;
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
    bus.on("message", (msg: dbus.Message) => {
      if (msg.type !== dbus.MessageType.SIGNAL) return;
      const signal = { path: msg.path, interface: msg.interface, member: msg.member, body: msg.body };
      for (const listener of [...this.#listeners]) listener(signal);
    });
  }

  /** Connects and checks that NetworkManager owns its name; fails with a one-line reason otherwise. */
  static async connect(options: NmBusOptions = {}): Promise<NmBus> {
    const timeoutMs = options.callTimeoutMs ?? 25_000;
    const clock = options.clock ?? realClock;
    const address = options.address ?? process.env.DBUS_SYSTEM_BUS_ADDRESS;
    const where = address ?? "unix:path=/var/run/dbus/system_bus_socket";
    let bus: dbus.MessageBus;
    try {
      bus = address !== undefined ? dbus.sessionBus({ busAddress: address }) : dbus.systemBus();
    } catch (cause) {
      throw new WifiError(`cannot reach the system D-Bus at ${where}: ${String(cause)}`, {
        cause,
        hint: NOT_RUNNING_HINT,
      });
    }
    await new Promise<void>((resolve, reject) => {
      const cancel = clock.setTimer(timeoutMs, () => {
        reject(
          new TimeoutError(`the system D-Bus at ${where} did not answer within ${seconds(timeoutMs)}`, {
            hint: "check that dbus is healthy (systemctl status dbus)",
          }),
        );
      });
      bus.once("connect", () => {
        cancel();
        resolve();
      });
      bus.once("error", (error: unknown) => {
        cancel();
        reject(
          new WifiError(
            `NetworkManager is not reachable: no system D-Bus at ${where} (${errorText(error)})`,
            {
              cause: error,
              hint: NOT_RUNNING_HINT,
            },
          ),
        );
      });
    }).catch((error: unknown) => {
      bus.disconnect();
      throw error;
    });
    // Later connection errors (the bus going away) must not crash the process as an unhandled 'error' event.
    bus.on("error", () => {});
    const nm = new NmBus(bus, timeoutMs, clock);
    try {
      const [owned] = await nm.#raw(
        "org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        "NameHasOwner",
        "s",
        [NM_BUS_NAME],
      );
      if (owned !== true) {
        throw new WifiError(
          "NetworkManager is not running (nobody owns org.freedesktop.NetworkManager on the system bus)",
          {
            hint: NOT_RUNNING_HINT,
          },
        );
      }
      await nm.#raw(
        "org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        "AddMatch",
        "s",
        [`type='signal',sender='${NM_BUS_NAME}'`],
      );
    } catch (error) {
      nm.close();
      throw error;
    }
    return nm;
  }

  /** Calls an NmApi method; resolves with the reply's arguments. */
  call(method: NmMethod, path: string, body: unknown[] = []): Promise<unknown[]> {
    return this.#raw(NM_BUS_NAME, path, method.interface, method.member, method.in, body);
  }

  /** Reads an NmApi property (the variant's value). */
  async get(prop: NmProperty, path: string): Promise<unknown> {
    const [variant] = await this.#raw(NM_BUS_NAME, path, PROPERTIES, "Get", "ss", [
      prop.interface,
      prop.member,
    ]);
    return variant instanceof dbus.Variant ? (variant.value as unknown) : variant;
  }

  /** Like get(), but undefined when this NetworkManager lacks the property (older versions, partial mocks). */
  async getOptional(prop: NmProperty, path: string): Promise<unknown> {
    try {
      return await this.get(prop, path);
    } catch (error) {
      if (
        error instanceof NmCallError &&
        /InvalidArgs|UnknownProperty|UnknownInterface/.test(error.dbusName)
      ) {
        return undefined;
      }
      throw error;
    }
  }

  /** Every property of one interface of one object, values unwrapped. */
  async getAll(iface: string, path: string): Promise<Record<string, unknown>> {
    const [dict] = await this.#raw(NM_BUS_NAME, path, PROPERTIES, "GetAll", "s", [iface]);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries((dict ?? {}) as Record<string, unknown>)) {
      out[key] = value instanceof dbus.Variant ? (value.value as unknown) : value;
    }
    return out;
  }

  /** Subscribes to every NetworkManager signal; returns the unsubscribe function. */
  onSignal(listener: (signal: NmSignalMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#bus.disconnect();
  }

  async #raw(
    destination: string,
    path: string,
    iface: string,
    member: string,
    signature: string,
    body: unknown[],
  ): Promise<unknown[]> {
    if (this.#closed) throw new WifiError(`NetworkManager connection closed (calling ${member})`);
    const message = new dbus.Message({ destination, path, interface: iface, member, signature, body });
    let cancel = () => {};
    const timeout = new Promise<never>((_, reject) => {
      cancel = this.#clock.setTimer(this.#timeoutMs, () => {
        reject(
          new TimeoutError(`NetworkManager did not answer ${member} within ${seconds(this.#timeoutMs)}`, {
            hint: "check that NetworkManager is healthy (systemctl status NetworkManager)",
          }),
        );
      });
    });
    try {
      const reply = await Promise.race([this.#bus.call(message), timeout]);
      return (reply?.body ?? []) as unknown[];
    } catch (error) {
      throw translateError(error, member);
    } finally {
      cancel();
    }
  }
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function translateError(error: unknown, member: string): unknown {
  if (!(error instanceof dbus.DBusError)) return error;
  const name = error.type;
  if (
    name === "org.freedesktop.DBus.Error.ServiceUnknown" ||
    name === "org.freedesktop.DBus.Error.NameHasNoOwner"
  ) {
    return new NmCallError("NetworkManager is not running", name, { cause: error, hint: NOT_RUNNING_HINT });
  }
  if (
    name === "org.freedesktop.DBus.Error.AccessDenied" ||
    name === "org.freedesktop.NetworkManager.PermissionDenied" ||
    name.endsWith(".PermissionDenied")
  ) {
    return new NmCallError(`NetworkManager refused ${member}: permission denied (${error.text})`, name, {
      cause: error,
      hint: PERMISSION_HINT,
    });
  }
  return new NmCallError(`NetworkManager ${member} failed: ${error.text}`, name, { cause: error });
}
