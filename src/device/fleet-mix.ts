/**
 * `--mix`: which devices of a virtual fleet are not like the others, as a real batch from a warehouse is not —
 * older firmware, a device an installer already tried with another site's network, a link that drops, a
 * device that is switched off, a router that refuses the passphrase. The plan is drawn from a seed, so the same
 * `--mix … --seed N` gives the same devices the same faults, and it says for each device what a fleet run
 * (`wifiprov fleet` given a network the devices see, with its right passphrase) must report.
 *
 * Syntax: `default`, or `KIND=N%` / `KIND=N` (a share or a number of devices) joined by commas, e.g.
 * `v4.0=10%,patch0=10%,stale=5,drop=5%`. The devices no kind claims are plain ones (the other flags).
 */
import { UsageError } from "../errors.js";
import { compatRules } from "./compat.js";
import type { CompatProfile } from "./compat.js";

export const MIX_KINDS = ["v4.0", "patch0", "stale", "drop", "unreachable", "wrongpass"] as const;
export type MixKind = (typeof MIX_KINDS)[number];

/** What each kind is, in words (help text, README, the sidecar file). */
export const MIX_KIND_WORDS: Record<MixKind, string> = {
  "v4.0": "firmware of the ESP-IDF v4.0 softap_prov example (proto-ver V0.1, no sec2: security 1 with a PoP)",
  patch0: "ESP-IDF v5.0 firmware, security 2 patch 0 (one 16-byte nonce)",
  stale:
    "an installer already sent another site's network: the attempt failed and the device waits in the failed " +
    "state (the network in its flash) until a client resets it (prov-ctrl)",
  drop: "the link to the device drops once, at the first request after the handshake (a retry succeeds)",
  unreachable: "switched off: nothing answers at its address",
  wrongpass: "the network is there but refuses the passphrase (its key was changed)",
};

/** `default`: what a batch of a few hundred returned or mixed-stock devices brings, roughly. */
export const DEFAULT_MIX = "v4.0=10%,patch0=10%,stale=5%,drop=5%,unreachable=3%,wrongpass=3%";

export type MixSpec = ReadonlyArray<{ kind: MixKind; share: { percent: number } | { count: number } }>;

const usage = (message: string) =>
  new UsageError(`--mix: ${message}`, {
    hint: `write KIND=N% or KIND=N joined by commas (kinds: ${MIX_KINDS.join(", ")}), or "default" (${DEFAULT_MIX})`,
  });

export function parseMix(text: string): MixSpec {
  const source = text.trim() === "default" ? DEFAULT_MIX : text;
  const spec: { kind: MixKind; share: { percent: number } | { count: number } }[] = [];
  for (const raw of source.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const match = /^([a-z0-9.]+)\s*=\s*(\d+(?:\.\d+)?)(%?)$/i.exec(part);
    if (match === null) throw usage(`${JSON.stringify(part)} is not KIND=N% or KIND=N`);
    const kind = match[1]!.toLowerCase();
    if (!(MIX_KINDS as readonly string[]).includes(kind)) {
      throw usage(`unknown kind ${JSON.stringify(match[1])}`);
    }
    if (spec.some((s) => s.kind === kind)) throw usage(`${kind} is given twice`);
    const n = Number(match[2]);
    if (match[3] === "%") {
      if (n > 100) throw usage(`${part}: a share is at most 100%`);
      spec.push({ kind: kind as MixKind, share: { percent: n } });
    } else {
      if (!Number.isInteger(n)) throw usage(`${part}: a number of devices is a whole number`);
      spec.push({ kind: kind as MixKind, share: { count: n } });
    }
  }
  if (spec.length === 0) throw usage("no kind given");
  return spec;
}

/** Mulberry32: a small seeded generator, enough to spread kinds over devices reproducibly (not for secrets). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The kind of each of `count` devices (undefined: a plain one). Shares are rounded to whole devices; the
 * devices that get each kind are drawn with the seed.
 */
export function planMix(spec: MixSpec, count: number, seed: number): (MixKind | undefined)[] {
  const plan: (MixKind | undefined)[] = [];
  for (const { kind, share } of spec) {
    const n = "count" in share ? share.count : Math.round((count * share.percent) / 100);
    for (let i = 0; i < n; i++) plan.push(kind);
  }
  if (plan.length > count) {
    throw usage(`the kinds add up to ${plan.length} devices, more than the ${count} of the fleet`);
  }
  while (plan.length < count) plan.push(undefined);
  const random = seededRandom(seed);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  return plan;
}

/** The outcome words of the fleet report (src/fleet/run-fleet.ts DeviceOutcome) a device is expected to end in. */
export type ExpectedOutcome = "connected" | "wifi-failed" | "unreachable" | "error";

export interface MixExpectation {
  outcome: ExpectedOutcome;
  /** The report's reason: exact (AuthError) or, for errors, words it contains. */
  reason?: string;
  /** Attempts the fleet makes: 2 after a drop; an unreachable device gets every retry (--retries + 1). */
  attempts?: number;
  /** The fleet resets the device (prov-ctrl) before sending the credentials. */
  resetFirst?: boolean;
}

/**
 * What a fleet run reports for a device of this kind on this firmware. A stale device is reset first where the
 * firmware has prov-ctrl (v5.1 on); v4.0 accepts new credentials in the failed state anyway (Apply repeatable);
 * v5.0 has neither, so only a restart helps and the fleet reports an error.
 */
export function expectationFor(kind: MixKind | undefined, profile: CompatProfile): MixExpectation {
  const rules = compatRules(profile);
  switch (kind) {
    case undefined:
    case "v4.0":
    case "patch0":
      return { outcome: "connected", attempts: 1 };
    case "stale":
      if (rules.ctrl) return { outcome: "connected", attempts: 1, resetFirst: true };
      if (rules.applyRepeatable) return { outcome: "connected", attempts: 1 };
      return { outcome: "error", attempts: 1, reason: "did not accept a reset" };
    case "drop":
      return { outcome: "connected", attempts: 2 };
    case "unreachable":
      return { outcome: "unreachable" };
    case "wrongpass":
      return { outcome: "wifi-failed", attempts: 1, reason: "AuthError" };
  }
}
