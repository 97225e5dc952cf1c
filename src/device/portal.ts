/**
 * The captive portal's GET side: the provisioning page at `/`, its assets under `/portal/`, and answers to
 * the operating systems' connectivity probes. While the device is unprovisioned every probe (and any other
 * page a phone asks for, since DNS on the SoftAP sends every name here) is redirected to the page, which
 * makes the phone open it by itself; once provisioned the probes get exactly what each OS expects from the
 * real internet, so the phone stops showing the portal and leaves. The POST endpoints are not touched.
 */
import type { PageReply, PageRequest } from "../transport/http-responses.js";

export interface PortalAsset {
  type: string;
  body: Uint8Array | string;
}

/** Path → file: "/" is the page, everything else lives under PORTAL_PREFIX. */
export type PortalAssets = Readonly<Record<string, PortalAsset>>;

export const PORTAL_PREFIX = "/portal/";

/**
 * What each OS expects from its probe URL on a working internet connection. Android: an empty 204;
 * Apple: a page whose body is "Success"; Windows NCSI: fixed text; Firefox: its canonical page and text.
 */
const PROBE_SUCCESS: Record<string, PageReply> = {
  "/generate_204": { status: 204 },
  "/gen_204": { status: 204 },
  "/hotspot-detect.html": {
    status: 200,
    type: "text/html",
    body: "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
  },
  "/library/test/success.html": {
    status: 200,
    type: "text/html",
    body: "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
  },
  "/connecttest.txt": { status: 200, type: "text/plain", body: "Microsoft Connect Test" },
  "/ncsi.txt": { status: 200, type: "text/plain", body: "Microsoft NCSI" },
  "/canonical.html": {
    status: 200,
    type: "text/html",
    body: '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>',
  },
  "/success.txt": { status: 200, type: "text/plain", body: "success\n" },
};

export const PROBE_PATHS: readonly string[] = Object.keys(PROBE_SUCCESS);

export interface PortalOptions {
  assets: PortalAssets;
  /** true once the device has joined the user's network: probes then answer like the internet. */
  provisioned: () => boolean;
  /** Where redirects point: the device's own address, e.g. "http://192.168.4.1/" (known once listening). */
  pageUrl: () => string;
  /** Shown as the page's title (the SoftAP SSID the user just joined); served as /portal/device.json. */
  deviceName: string;
}

/** The DeviceHttpServer `pages` handler of a captive portal. */
export function portalPages(options: PortalOptions): (request: PageRequest) => PageReply | undefined {
  return ({ path }) => {
    const asset = options.assets[path];
    if (asset !== undefined && (path === "/" || path.startsWith(PORTAL_PREFIX))) {
      return { status: 200, type: asset.type, body: asset.body };
    }
    if (path === `${PORTAL_PREFIX}device.json`) {
      return { status: 200, type: "application/json", body: JSON.stringify({ name: options.deviceName }) };
    }
    const success = PROBE_SUCCESS[path];
    if (options.provisioned()) return success ?? { status: 404, type: "text/plain", body: "Not found" };
    // Unprovisioned: everything a phone's browser or OS asks for leads to the page.
    return { status: 302, location: options.pageUrl() };
  };
}
