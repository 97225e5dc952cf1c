/**
 * The device as a plain Wi-Fi station: after boot with stored credentials, or after provisioning stopped.
 * Mirrors the v4.0 example's station mode (protocol.md §8.10, `app` tag): reconnect up to `maxRetries`
 * times (EXAMPLE_AP_RECONN_ATTEMPTS = 5), then give up; a successful connection resets the count.
 */
import { childLogger } from "../logger.js";
import type { Logger } from "../logger.js";
import type { Radio, StationConfig, StationConnectedInfo, StationEvent } from "../wifi/radio.js";
import { DisconnectReason } from "../wifi/radio.js";

export class StationKeeper {
  readonly #radio: Radio;
  readonly #config: StationConfig;
  readonly #maxRetries: number;
  readonly #log: Logger;
  readonly #onConnected: (info: StationConnectedInfo) => void;
  #retries = 0;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(options: {
    radio: Radio;
    config: StationConfig;
    maxRetries: number;
    logger: Logger;
    onConnected?: (info: StationConnectedInfo) => void;
  }) {
    this.#radio = options.radio;
    this.#config = options.config;
    this.#maxRetries = options.maxRetries;
    this.#log = childLogger(options.logger, "app");
    this.#onConnected = options.onConnected ?? (() => {});
  }

  /** Starts listening; `connectNow` = false when the radio is already associated (after provisioning). */
  start(connectNow: boolean): void {
    this.#unsubscribe = this.#radio.onEvent((event) => this.#onEvent(event));
    if (connectNow) this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #onEvent(event: StationEvent): void {
    if (this.#stopped) return;
    if (event.type === "connected") {
      this.#retries = 0;
      this.#log.info(`got ip:${event.info.ip4}`);
      this.#onConnected(event.info);
    } else if (event.type === "disconnected") {
      if (event.reason === DisconnectReason.ASSOC_LEAVE) return; // we left on purpose
      if (this.#retries < this.#maxRetries) {
        this.#retries++;
        this.#log.info("retry to connect to the AP");
        this.#connect();
      } else {
        this.#log.info("connect to the AP fail");
      }
    }
  }

  #connect(): void {
    this.#radio.connect(this.#config).catch((cause: unknown) => {
      this.#log.error("Failed to connect Wi-Fi", { error: String(cause) });
    });
  }
}
