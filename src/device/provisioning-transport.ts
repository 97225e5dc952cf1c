/**
 * How clients reach the provisioning service: the device-side port that `createDevice()` starts once the
 * endpoints are registered and stops at the end of provisioning. HTTP on the SoftAP (protocomm_httpd) is the
 * one ESP-IDF's softap_prov uses; a BLE GATT transport would be another.
 */
import { realClock } from "../clock.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { Protocomm } from "../protocomm/index.js";
import { DeviceHttpServer } from "../transport/index.js";
import type { SessionPolicy } from "../transport/index.js";
import { connectableAddress, formatHostPort } from "../transport/host-port.js";
import type { CompatRules } from "./compat.js";
import { portalPages } from "./portal.js";
import type { PortalAssets } from "./portal.js";

export interface ProvisioningTransportContext {
  protocomm: Protocomm;
  /** The firmware generation being imitated: its HTTP limits and session rules. */
  rules: CompatRules;
  logger: Logger;
  /** ESP's session rules, or the guarded ones (see SessionPolicy). Default "esp". */
  sessionPolicy?: SessionPolicy;
  /** The device has joined the user's network (the captive portal then lets phones go). Default: never. */
  provisioned?: () => boolean;
  /** The name a user knows the device by (its SoftAP SSID), shown by the portal page. */
  deviceName?: string;
}

export interface ProvisioningTransport {
  /** Starts serving; resolves with what a client needs to reach it ("host:port" for esp_prov's --service_name). */
  start(context: ProvisioningTransportContext): Promise<{ serviceName: string }>;
  /** Stops serving and drops every connection. */
  stop(): Promise<void>;
}

export interface HttpProvisioningTransportOptions {
  /** Where the HTTP server listens. A real ESP32 answers at 192.168.4.1:80 on its SoftAP. */
  listen: { host: string; port: number };
  /**
   * The time of the receive/send timeouts. Default: real time, also for a virtual device whose radio runs
   * scaled: its clients are real programs on a real network (esp_prov, a phone), not part of the simulation.
   */
  clock?: Clock;
  /**
   * Serve this captive portal (the page at GET /, its assets, the OS probes) beside the POST endpoints.
   * Default: none, and GET is refused exactly as ESP-IDF's httpd refuses it.
   */
  portal?: PortalAssets;
}

/** A browser opens several connections for one page; one socket (ESP's default) would purge them in turn. */
const PORTAL_CONNECTIONS = 6;

/** The HTTP transport of ESP-IDF's protocomm_httpd, with the session rules of the profile's release. */
export class HttpProvisioningTransport implements ProvisioningTransport {
  readonly #listen: { host: string; port: number };
  readonly #clock: Clock;
  readonly #portal: PortalAssets | undefined;
  #server: DeviceHttpServer | undefined;
  /** Where it listens once started (port 0 resolved). */
  address: { host: string; port: number } | undefined;

  constructor(options: HttpProvisioningTransportOptions) {
    this.#listen = options.listen;
    this.#clock = options.clock ?? realClock;
    this.#portal = options.portal;
  }

  async start(context: ProvisioningTransportContext): Promise<{ serviceName: string }> {
    const { protocomm, rules, logger, sessionPolicy } = context;
    const portal = this.#portal;
    let pageUrl = "/";
    const server = new DeviceHttpServer({
      protocomm,
      sessionPolicy: sessionPolicy ?? "esp",
      cookies: rules.cookies,
      maxHeaderBytes: rules.maxHeaderBytes,
      clock: this.#clock,
      logger,
      ...(portal !== undefined
        ? {
            ...(sessionPolicy === "guarded" ? {} : { maxConnections: PORTAL_CONNECTIONS }),
            pages: portalPages({
              assets: portal,
              provisioned: context.provisioned ?? (() => false),
              deviceName: context.deviceName ?? "",
              pageUrl: () => pageUrl,
            }),
          }
        : {}),
    });
    this.address = await server.listen(this.#listen);
    const reach = connectableAddress(this.address);
    // Port 80 (a real SoftAP) is left out, as a phone's browser shows the address.
    pageUrl = `http://${formatHostPort(reach).replace(/:80$/, "")}/`;
    this.#server = server;
    return { serviceName: formatHostPort(connectableAddress(this.address)) };
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }
}
