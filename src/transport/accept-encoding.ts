/**
 * Content-coding negotiation for the captive portal's GETs: which of the codings a file is available in
 * may be sent to this client, from its Accept-Encoding header (RFC 9110 §12.5.3).
 *
 * - No header: identity. The RFC allows any coding then, but a client that sends none (curl without
 *   --compressed, a script) usually cannot decode one.
 * - An entry's weight is `q=` 0…1 with at most three decimals; q=0 means "not acceptable". An entry that does not
 *   parse is ignored rather than guessed at.
 * - A coding not named takes the weight of `*` if there is one; else it is not acceptable, except identity,
 *   which stays acceptable unless `identity;q=0` or `*;q=0` excludes it. `x-gzip` is gzip (RFC 9110 §8.4.1.3).
 * - The highest weight wins; on a tie the smaller (encoded) form, i.e. the first of `available`, wins.
 * - When nothing is acceptable (e.g. `identity;q=0` alone), identity is sent anyway: RFC 9110 lets a server
 *   do that instead of answering 406, and a provisioning page that refuses to load helps nobody.
 */

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Lower-case coding name → weight, for every entry of the header that parses. */
export function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const entry of header.split(",")) {
    const [rawName = "", ...params] = entry.split(";").map((part) => part.trim());
    if (rawName === "" || !TOKEN.test(rawName)) continue;
    let weight = 1;
    let valid = true;
    for (const param of params) {
      const eq = param.indexOf("=");
      const key = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase();
      if (key !== "q") continue;
      const value = eq === -1 ? "" : param.slice(eq + 1).trim();
      if (!QVALUE.test(value)) valid = false;
      else weight = Number(value);
    }
    if (!valid) continue;
    let name = rawName.toLowerCase();
    if (name === "x-gzip") name = "gzip";
    // A coding named twice keeps its first weight (no rule in the RFC; the first is what the client led with).
    if (!weights.has(name)) weights.set(name, weight);
  }
  return weights;
}

/**
 * The coding to send: one of `available` (most preferred first, e.g. ["gzip"]) or "identity".
 * `header` is the request's Accept-Encoding value (several fields joined with ", "), undefined if absent.
 */
export function negotiateEncoding(header: string | undefined, available: readonly string[]): string {
  if (header === undefined) return "identity";
  const weights = parseAcceptEncoding(header);
  const star = weights.get("*");
  const weightOf = (coding: string) => weights.get(coding) ?? star ?? (coding === "identity" ? 1 : 0);
  let best = "identity";
  let bestWeight = weightOf("identity");
  // Tried from the least preferred up, each taking over on a tie: identity loses every tie, and among the
  // available codings the first listed wins.
  for (const coding of [...available].reverse()) {
    const weight = weightOf(coding);
    if (weight > 0 && weight >= bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}
