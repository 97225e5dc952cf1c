/**
 * Station credentials kept where NetworkManager keeps them: one profile flagged `user.data wifiprov.role =
 * station` (autoconnect off: wifiprov joins at start itself, so NetworkManager and the device never race). No
 * second copy on disk. Credentials NetworkManager cannot hold (a key it refuses, bytes that are not text, an
 * empty SSID) are kept in memory only, with a warning: the join then fails as it would on an ESP, and after a
 * restart the device is unprovisioned.
 */
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import { childLogger, defaultLogger } from "../../logger.js";
import { NM_SETTINGS_PATH, NmApi } from "../../networkmanager/nm-api.js";
import { NmBus, NmCallError } from "../../networkmanager/nm-bus.js";
import type { NmBusOptions } from "../../networkmanager/nm-bus.js";
import { profileRole, pskText, stationSettings, unwrap } from "./connection-settings.js";

export interface NmCredentials {
  ssid: Uint8Array;
  passphrase: Uint8Array;
}

export class NetworkManagerCredentials {
  readonly #bus: NmBus;
  readonly #log: Logger;
  /** Set when the last save could not go into NetworkManager; undefined = NetworkManager holds the truth. */
  #memoryOnly: NmCredentials | undefined;

  constructor(bus: NmBus, logger: Logger = defaultLogger) {
    this.#bus = bus;
    this.#log = childLogger(logger, "nm-store");
  }

  static async open(
    options: { busAddress?: string; logger?: Logger; clock?: Clock } = {},
  ): Promise<NetworkManagerCredentials> {
    const busOptions: NmBusOptions = {};
    if (options.busAddress !== undefined) busOptions.address = options.busAddress;
    if (options.clock !== undefined) busOptions.clock = options.clock;
    const bus = await NmBus.connect(busOptions);
    return new NetworkManagerCredentials(bus, options.logger);
  }

  /** The newest profile of ours (after a crash between add and delete there may be two). */
  async load(): Promise<NmCredentials | undefined> {
    if (this.#memoryOnly !== undefined) return copy(this.#memoryOnly);
    const ours = await this.#ours();
    const path = ours.at(-1);
    if (path === undefined) return undefined;
    const [settings] = (await this.#bus.call(NmApi.getSettings, path)) as [
      Record<string, Record<string, unknown>>,
    ];
    const ssid = unwrap(settings["802-11-wireless"]?.ssid);
    let passphrase = new Uint8Array(0);
    if (settings["802-11-wireless-security"] !== undefined) {
      const [secrets] = (await this.#bus.call(NmApi.getSecrets, path, ["802-11-wireless-security"])) as [
        Record<string, Record<string, unknown>>,
      ];
      const psk = unwrap(secrets["802-11-wireless-security"]?.psk);
      if (typeof psk === "string") passphrase = new TextEncoder().encode(psk);
    }
    return { ssid: ssid instanceof Uint8Array ? Uint8Array.from(ssid) : new Uint8Array(0), passphrase };
  }

  /** Replaces our profile: the new one is added before the old ones go, so a crash leaves old or new. */
  async save(credentials: NmCredentials): Promise<void> {
    const old = await this.#ours();
    const psk = pskText(credentials.passphrase);
    let kept = false;
    if (psk !== undefined && credentials.ssid.length > 0) {
      try {
        await this.#bus.call(NmApi.addConnection, NM_SETTINGS_PATH, [
          stationSettings({ ssid: credentials.ssid, psk, role: "station" }),
        ]);
        kept = true;
      } catch (error) {
        if (!(error instanceof NmCallError && /Invalid|Missing/.test(error.dbusName))) throw error;
        this.#log.warn(`NetworkManager refused these credentials (${error.message})`);
      }
    }
    if (kept) this.#memoryOnly = undefined;
    else {
      this.#log.warn("credentials kept in memory only: NetworkManager cannot hold them, the join will fail");
      this.#memoryOnly = copy(credentials);
    }
    for (const path of old) await this.#delete(path);
  }

  /** Removes our station profiles; resolves with how many there were. */
  async erase(): Promise<number> {
    this.#memoryOnly = undefined;
    const ours = await this.#ours();
    for (const path of ours) await this.#delete(path);
    return ours.length;
  }

  close(): void {
    this.#bus.close();
  }

  async #ours(): Promise<string[]> {
    const [paths] = (await this.#bus.call(NmApi.listConnections, NM_SETTINGS_PATH)) as [string[]];
    const ours: string[] = [];
    for (const path of paths ?? []) {
      const reply = await this.#bus.call(NmApi.getSettings, path).catch(() => undefined);
      if (reply === undefined) continue; // deleted meanwhile
      if (profileRole(reply[0] as Record<string, Record<string, unknown>>) === "station") ours.push(path);
    }
    return ours;
  }

  async #delete(path: string): Promise<void> {
    await this.#bus.call(NmApi.deleteConnection, path).catch((error: unknown) => {
      if (!(error instanceof NmCallError)) throw error;
    });
  }
}

function copy(c: NmCredentials): NmCredentials {
  return { ssid: Uint8Array.from(c.ssid), passphrase: Uint8Array.from(c.passphrase) };
}
