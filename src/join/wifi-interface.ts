/**
 * The laptop's Wi-Fi interfaces as NetworkManager knows them: find one by name (or the first), list what
 * exists for error messages, and open the system bus with the messages a user of `--join` / `discover` needs
 * when NetworkManager is not there.
 */
import { WifiError } from "../errors.js";
import { NM_PATH, NM_DEVICE_TYPE_WIFI, NmApi } from "../networkmanager/nm-api.js";
import { NmBus, NmCallError } from "../networkmanager/nm-bus.js";
import type { NmBusOptions } from "../networkmanager/nm-bus.js";

export interface WifiInterface {
  /** Kernel name, e.g. wlan0. */
  name: string;
  /** NetworkManager's object path for the device. */
  path: string;
}

/**
 * Opens NetworkManager; a missing bus or a NetworkManager that is not running becomes one WifiError whose
 * message is `unavailableMessage` (what the user should do instead), the D-Bus reason kept as the cause.
 */
export async function openNetworkManager(
  options: NmBusOptions & { unavailableMessage: string; unavailableHint?: string },
): Promise<NmBus> {
  try {
    return await NmBus.connect(options);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new WifiError(options.unavailableMessage, {
      cause,
      hint: options.unavailableHint ?? `NetworkManager could not be reached: ${why}`,
    });
  }
}

/** Every Wi-Fi interface NetworkManager manages, in its order. */
export async function listWifiInterfaces(bus: NmBus): Promise<WifiInterface[]> {
  const [paths] = await bus.call(NmApi.getDevices, NM_PATH);
  const out: WifiInterface[] = [];
  for (const path of (paths ?? []) as string[]) {
    const type = await bus.getOptional(NmApi.deviceType, path).catch(() => undefined);
    if (type !== NM_DEVICE_TYPE_WIFI) continue;
    const name = await bus.getOptional(NmApi.deviceInterface, path).catch(() => undefined);
    if (typeof name === "string" && name !== "") out.push({ name, path });
  }
  return out;
}

/** The named Wi-Fi interface, or the first one; a one-line error naming what exists otherwise. */
export async function findWifiInterface(bus: NmBus, name: string | undefined): Promise<WifiInterface> {
  if (name === undefined) {
    const [first] = await listWifiInterfaces(bus);
    if (first === undefined) {
      throw new WifiError("NetworkManager manages no Wi-Fi interface on this computer", {
        hint: "check `nmcli device` (is the Wi-Fi adapter plugged in and managed?)",
      });
    }
    return first;
  }
  let path: string | undefined;
  try {
    const [found] = await bus.call(NmApi.getDeviceByIpIface, NM_PATH, [name]);
    path = found as string;
  } catch (error) {
    if (!(error instanceof NmCallError) || !/UnknownDevice/.test(error.dbusName)) throw error;
  }
  const type = path === undefined ? undefined : await bus.getOptional(NmApi.deviceType, path);
  if (path === undefined || type !== NM_DEVICE_TYPE_WIFI) {
    const known = (await listWifiInterfaces(bus)).map((i) => i.name);
    throw new WifiError(
      path === undefined
        ? `no network interface ${JSON.stringify(name)}`
        : `${JSON.stringify(name)} is not a Wi-Fi interface`,
      {
        hint:
          known.length > 0
            ? `Wi-Fi interfaces NetworkManager manages: ${known.join(", ")} (pass one with --interface)`
            : "NetworkManager manages no Wi-Fi interface on this computer (check `nmcli device`)",
      },
    );
  }
  return { name, path };
}
