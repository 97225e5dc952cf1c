/**
 * `wifiprov device --count N`: N virtual devices in one process on consecutive ports, each with its own MAC,
 * SoftAP name and state (and its own PoP or SRP password with `--pop random`), and the manifest a fleet run
 * needs (`--manifest-out FILE`, JSON lines, mode 0600: it holds the secrets).
 */
import { writeFile } from "node:fs/promises";
import type { Logger } from "../../logger.js";
import type { VirtualDeviceOptions } from "../../device/index.js";

export interface FleetDeviceFlags {
  count: number;
  manifestOut?: string;
  randomCredentials: boolean;
}

export async function runVirtualFleet(
  fleetFlags: FleetDeviceFlags,
  options: VirtualDeviceOptions,
  logger: Logger,
  report: (err: unknown) => number,
): Promise<number> {
  const [{ startVirtualFleet }, { formatManifest }] = await Promise.all([
    import("../../device/virtual-fleet.js"),
    import("../../fleet/manifest.js"),
  ]);
  const { listen = { host: "127.0.0.1", port: 8080 }, stateDir, ...rest } = options;
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
      logger,
    });
    if (fleetFlags.manifestOut !== undefined) {
      await writeFile(fleetFlags.manifestOut, formatManifest(fleet.manifest), { mode: 0o600 });
    }
    const first = fleet.manifest[0]!.service_name;
    const last = fleet.manifest[fleet.manifest.length - 1]!.service_name;
    process.stdout.write(
      `\n${fleet.devices.length} virtual devices listening, ${first} … ${last}\n` +
        (fleetFlags.manifestOut !== undefined
          ? `Manifest:  ${fleetFlags.manifestOut} (contains the secrets)\n` +
            `Provision: npx wifiprov fleet --manifest ${fleetFlags.manifestOut} --ssid myssid --passphrase mypassword\n`
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
