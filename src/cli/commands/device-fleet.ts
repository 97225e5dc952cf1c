/**
 * `wifiprov device --count N`: N virtual devices in one process on consecutive ports, each with its own MAC,
 * SoftAP name and state (and its own PoP or SRP password with `--pop random`), and the manifest a fleet run
 * needs (`--manifest-out FILE`, JSON lines, mode 0600: it holds the secrets).
 */
import { writeFile } from "node:fs/promises";
import { UsageError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { VirtualDeviceOptions } from "../../device/index.js";

export interface FleetDeviceFlags {
  count: number;
  manifestOut?: string;
  randomCredentials: boolean;
  /** --mix SPEC and --seed N, unchecked. */
  mix?: string;
  seed?: string;
}

/** The `--mix` sidecar beside the manifest: what was injected into which device, no secrets. */
export const mixFileFor = (manifest: string) => `${manifest}.mix.json`;

export async function runVirtualFleet(
  fleetFlags: FleetDeviceFlags,
  options: VirtualDeviceOptions,
  logger: Logger,
  report: (err: unknown) => number,
): Promise<number> {
  const [{ startVirtualFleet }, { formatManifest }, { parseMix }] = await Promise.all([
    import("../../device/virtual-fleet.js"),
    import("../../fleet/manifest.js"),
    import("../../device/fleet-mix.js"),
  ]);
  const { listen = { host: "127.0.0.1", port: 8080 }, stateDir: givenStateDir, ...rest } = options;
  let mix: { spec: ReturnType<typeof parseMix>; text: string; seed: number } | undefined;
  try {
    if (fleetFlags.mix !== undefined) {
      const seedText = fleetFlags.seed;
      if (seedText !== undefined && !/^\d{1,10}$/.test(seedText.trim())) {
        throw new UsageError(`--seed: expected a whole number 0–4294967295, got ${JSON.stringify(seedText)}`);
      }
      const seed =
        seedText !== undefined ? Number(seedText.trim()) : crypto.getRandomValues(new Uint32Array(1))[0]!;
      if (seed > 0xffffffff)
        throw new UsageError(`--seed: expected a whole number 0–4294967295, got ${seedText}`);
      mix = { spec: parseMix(fleetFlags.mix), text: fleetFlags.mix, seed };
    }
  } catch (err) {
    return report(err);
  }
  // A mixed fleet is a fresh batch on every run (state in memory): its expected outcomes assume devices that
  // were never provisioned, and a stale device's failed network must not make it a station at the next start.
  const stateDir = mix === undefined ? givenStateDir : undefined;
  let stop: (() => void) | undefined;
  let stopRequested = false;
  const onSignal = () => (stop ? stop() : (stopRequested = true));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const fleet = await startVirtualFleet({
      ...rest,
      count: fleetFlags.count,
      listen,
      credentials: fleetFlags.randomCredentials ? "random" : "shared",
      ...(stateDir !== undefined ? { stateDir } : {}),
      ...(mix !== undefined ? { mix } : {}),
      logger,
    });
    // With no device listening there is nothing to provision: no manifest rather than an empty one.
    const manifestOut = fleet.manifest.length > 0 ? fleetFlags.manifestOut : undefined;
    if (manifestOut !== undefined) {
      await writeFile(manifestOut, formatManifest(fleet.manifest), { mode: 0o600 });
      if (fleet.mix !== undefined) {
        await writeFile(mixFileFor(manifestOut), JSON.stringify(fleet.mix, null, 2) + "\n");
      }
    }
    const first = fleet.manifest[0]?.service_name;
    const last = fleet.manifest[fleet.manifest.length - 1]?.service_name;
    const mixLines =
      fleet.mix === undefined
        ? ""
        : `Mix:       ${fleet.mix.mix} (--seed ${fleet.mix.seed}): ` +
          Object.entries(fleet.mix.faults)
            .filter(([, n]) => n > 0)
            .map(([kind, n]) => `${n} ${kind === "none" ? "plain" : kind}`)
            .join(", ") +
          "\nExpected:  " +
          Object.entries(fleet.mix.expected)
            .filter(([, n]) => n > 0)
            .map(([outcome, n]) => `${n} ${outcome}`)
            .join(", ") +
          (fleetFlags.manifestOut !== undefined
            ? ` (per device: ${mixFileFor(fleetFlags.manifestOut)})`
            : "") +
          "\n";
    const provisioning = fleet.devices.length - fleet.provisioned.length;
    const listening =
      first === undefined
        ? "No virtual device is listening"
        : (provisioning === fleet.manifest.length
            ? `${provisioning} virtual devices listening`
            : `${fleet.manifest.length} virtual devices (${fleet.manifest.length - provisioning} switched off by --mix)`) +
          `, ${first} … ${last}`;
    // Like firmware, a device that kept credentials from an earlier run joins its network and serves nothing,
    // so it has no row in the manifest; say so, and how to get a whole fleet back to provisioning.
    const alreadyProvisioned =
      fleet.provisioned.length === 0
        ? ""
        : `${fleet.provisioned.length} of ${fleetFlags.count} devices kept the credentials of an earlier run ` +
          `(state in ${stateDir ?? "the state directory"}/device-NNNN), so they joined their network instead of ` +
          `listening and are not in the manifest.\nTo provision them again: add --reset-provisioning, or remove ` +
          `${stateDir ?? "the state directory"}.\n`;
    process.stdout.write(
      `\n${listening}\n` +
        alreadyProvisioned +
        mixLines +
        (manifestOut !== undefined
          ? `Manifest:  ${manifestOut} (contains the secrets)\n` +
            `Provision: npx wifiprov fleet --manifest ${manifestOut} --ssid myssid --passphrase mypassword\n`
          : fleetFlags.manifestOut !== undefined
            ? `No manifest written to ${fleetFlags.manifestOut}: no device is listening.\n`
            : first === undefined
              ? ""
              : "Write their manifest with --manifest-out FILE, for wifiprov fleet.\n") +
        "\n",
    );
    await new Promise<void>((resolve) => {
      const keepAlive = setInterval(() => {}, 1 << 30);
      stop = () => {
        stop = () => {};
        clearInterval(keepAlive);
        logger.info("app: signal received, shutting down the fleet");
        fleet.close().then(resolve, (err: unknown) => {
          report(err);
          resolve();
        });
      };
      if (stopRequested) stop();
    });
    return 0;
  } catch (err) {
    return report(err);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
