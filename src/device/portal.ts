/**
 * The captive portal's GET side: the provisioning page at `/`, its assets under `/portal/`, and answers to
 * the operating systems' connectivity probes. While the device is unprovisioned every probe (and any other
 * page a phone asks for, since DNS on the SoftAP sends every name here) is redirected to the page, which
 * makes the phone open it by itself; once provisioned the probes get exactly what each OS expects from the
 * real internet, so the phone stops showing the portal and leaves. The POST endpoints are not touched.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import fresh from "fresh";
import { negotiateEncoding } from "../transport/accept-encoding.js";
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

/** An asset ready to send: its bytes as is and gzipped (when that is smaller), each with its entity tag. */
interface PreparedAsset {
  type: string;
  identity: { body: Buffer; etag: string };
  gzip: { body: Buffer; etag: string } | undefined;
}

/**
 * Compressed once per asset object, not per request, and shared by every device serving the same assets (a
 * test or a fleet starts many): gzip -9 of the 150 KB script takes milliseconds, a GET must not.
 */
const prepared = new WeakMap<PortalAsset, PreparedAsset>();

function prepare(asset: PortalAsset): PreparedAsset {
  let ready = prepared.get(asset);
  if (ready === undefined) {
    const body = typeof asset.body === "string" ? Buffer.from(asset.body, "utf8") : Buffer.from(asset.body);
    // A strong tag from the content: every device's portal is at http://192.168.4.1/, so one phone's cache
    // holds pages of different firmware under one URL, and only the content tells them apart. The gzipped
    // form is another representation, so it gets its own tag (RFC 9110 §8.8.3).
    const tag = createHash("sha256").update(body).digest("base64url").slice(0, 22);
    const gzipped = gzipSync(body, { level: 9 });
    ready = {
      type: asset.type,
      identity: { body, etag: `"${tag}"` },
      gzip: gzipped.length < body.length ? { body: gzipped, etag: `"${tag}-gzip"` } : undefined,
    };
    prepared.set(asset, ready);
  }
  return ready;
}

/** The browser's cached copy is this one: If-None-Match names the tag (or `*`), judged by `fresh`. */
function cachedCopyMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && fresh({ "if-none-match": ifNoneMatch }, { etag });
}

/**
 * The page and its assets: gzipped when the browser accepts it (every phone browser does; the page is 50 KB
 * that way instead of 157 KB over a SoftAP), as is otherwise. `no-cache` + ETag rather than `no-store`: the
 * browser may keep the files but asks before each use, and the device answers 304 without a body when they
 * have not changed, so a second visit (the same phone setting up a second device, or reopening the page)
 * does not download the script again, and a page from other firmware at the same address is never shown.
 */
function assetReply(asset: PreparedAsset, request: PageRequest): PageReply {
  const gzip = asset.gzip !== undefined && negotiateEncoding(request.acceptEncoding, ["gzip"]) === "gzip";
  const chosen = gzip ? asset.gzip! : asset.identity;
  const headers = {
    cacheControl: "no-cache",
    etag: chosen.etag,
    ...(asset.gzip !== undefined ? { vary: "Accept-Encoding" } : {}),
  };
  if (cachedCopyMatches(request.ifNoneMatch, chosen.etag)) return { status: 304, ...headers };
  return {
    status: 200,
    type: asset.type,
    body: chosen.body,
    ...(gzip ? { encoding: "gzip" } : {}),
    ...headers,
  };
}

/** The DeviceHttpServer `pages` handler of a captive portal. */
export function portalPages(options: PortalOptions): (request: PageRequest) => PageReply | undefined {
  const assets = new Map<string, PreparedAsset>();
  for (const [path, asset] of Object.entries(options.assets)) {
    if (path === "/" || path.startsWith(PORTAL_PREFIX)) assets.set(path, prepare(asset));
  }
  return (request) => {
    const { path } = request;
    const asset = assets.get(path);
    if (asset !== undefined) return assetReply(asset, request);
    if (path === `${PORTAL_PREFIX}device.json`) {
      return { status: 200, type: "application/json", body: JSON.stringify({ name: options.deviceName }) };
    }
    const success = PROBE_SUCCESS[path];
    if (options.provisioned()) return success ?? { status: 404, type: "text/plain", body: "Not found" };
    // Unprovisioned: everything a phone's browser or OS asks for leads to the page.
    return { status: 302, location: options.pageUrl() };
  };
}
