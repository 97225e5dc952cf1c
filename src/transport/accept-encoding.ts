/**
 * Content-coding negotiation for the captive portal's GETs: which of the codings a file is available in may
 * be sent to this client, from its Accept-Encoding header (RFC 9110 §12.5.3). The header's grammar and
 * weights are `negotiator`'s job (the jshttp module Express uses); what is decided here is the policy:
 *
 * - No header: identity. The RFC allows any coding then, but a client that sends none (curl without
 *   --compressed, esp_prov, a script) usually cannot decode one.
 * - When nothing is acceptable (e.g. `identity;q=0` alone), identity is sent anyway: RFC 9110 lets a server do
 *   that instead of answering 406, and a provisioning page that refuses to load helps nobody.
 * - On equal weights the client's own order decides (negotiator's rule), then the order of `available`.
 */
import Negotiator from "negotiator";

/**
 * The coding to send: one of `available` (most preferred first, e.g. ["gzip"]) or "identity".
 * `header` is the request's Accept-Encoding value (several fields joined with ", "), undefined if absent.
 */
export function negotiateEncoding(header: string | undefined, available: readonly string[]): string {
  if (header === undefined) return "identity";
  const negotiator = new Negotiator({ headers: { "accept-encoding": header } });
  return negotiator.encoding([...available, "identity"]) ?? "identity";
}
