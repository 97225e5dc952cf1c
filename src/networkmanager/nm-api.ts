/**
 * Every NetworkManager D-Bus member the backend uses, with its signature, in one table. The backend calls NM only
 * through these entries, and a conformance test (test/wifi/networkmanager/nm-api-conformance.test.ts) checks each
 * one against NetworkManager's own interface XML (Debian's network-manager-dev,
 * /usr/share/dbus-1/interfaces/org.freedesktop.NetworkManager*.xml), so neither the backend nor our mock can drift
 * from the real API unnoticed.
 */

export const NM_BUS_NAME = "org.freedesktop.NetworkManager";
export const NM_PATH = "/org/freedesktop/NetworkManager";
export const NM_SETTINGS_PATH = "/org/freedesktop/NetworkManager/Settings";

export const NmInterface = {
  MANAGER: "org.freedesktop.NetworkManager",
  SETTINGS: "org.freedesktop.NetworkManager.Settings",
  CONNECTION: "org.freedesktop.NetworkManager.Settings.Connection",
  DEVICE: "org.freedesktop.NetworkManager.Device",
  WIRELESS: "org.freedesktop.NetworkManager.Device.Wireless",
  ACCESS_POINT: "org.freedesktop.NetworkManager.AccessPoint",
  ACTIVE: "org.freedesktop.NetworkManager.Connection.Active",
  IP4_CONFIG: "org.freedesktop.NetworkManager.IP4Config",
} as const;

export interface NmMethod {
  kind: "method";
  interface: string;
  member: string;
  /** Input signature (concatenated argument types). */
  in: string;
  /** Output signature (concatenated result types). */
  out: string;
}

export interface NmProperty {
  kind: "property";
  interface: string;
  member: string;
  type: string;
}

export interface NmSignal {
  kind: "signal";
  interface: string;
  member: string;
  /** Concatenated argument types. */
  args: string;
}

export type NmMember = NmMethod | NmProperty | NmSignal;

const method = (iface: string, member: string, inSig: string, out: string): NmMethod => ({
  kind: "method",
  interface: iface,
  member,
  in: inSig,
  out,
});
const property = (iface: string, member: string, type: string): NmProperty => ({
  kind: "property",
  interface: iface,
  member,
  type,
});
const signal = (iface: string, member: string, args: string): NmSignal => ({
  kind: "signal",
  interface: iface,
  member,
  args,
});

const I = NmInterface;

/** The members, by what the backend uses them for. */
export const NmApi = {
  getDeviceByIpIface: method(I.MANAGER, "GetDeviceByIpIface", "s", "o"),
  /** NM ≥ 1.16: options {persist: "volatile"} make a profile that NM deletes once it is deactivated. */
  addAndActivateConnection2: method(I.MANAGER, "AddAndActivateConnection2", "a{sa{sv}}ooa{sv}", "ooa{sv}"),
  deactivateConnection: method(I.MANAGER, "DeactivateConnection", "o", ""),
  version: property(I.MANAGER, "Version", "s"),
  activeConnections: property(I.MANAGER, "ActiveConnections", "ao"),
  activateConnection: method(I.MANAGER, "ActivateConnection", "ooo", "o"),
  /** The laptop-side join (src/join) lists the Wi-Fi interfaces NetworkManager manages. */
  getDevices: method(I.MANAGER, "GetDevices", "", "ao"),

  listConnections: method(I.SETTINGS, "ListConnections", "", "ao"),
  addConnection: method(I.SETTINGS, "AddConnection", "a{sa{sv}}", "o"),

  getSettings: method(I.CONNECTION, "GetSettings", "", "a{sa{sv}}"),
  getSecrets: method(I.CONNECTION, "GetSecrets", "s", "a{sa{sv}}"),
  deleteConnection: method(I.CONNECTION, "Delete", "", ""),

  deviceState: property(I.DEVICE, "State", "u"),
  deviceStateReason: property(I.DEVICE, "StateReason", "(uu)"),
  deviceIp4Config: property(I.DEVICE, "Ip4Config", "o"),
  deviceActiveConnection: property(I.DEVICE, "ActiveConnection", "o"),
  deviceType: property(I.DEVICE, "DeviceType", "u"),
  deviceInterface: property(I.DEVICE, "Interface", "s"),
  deviceStateChanged: signal(I.DEVICE, "StateChanged", "uuu"),

  requestScan: method(I.WIRELESS, "RequestScan", "a{sv}", ""),
  getAllAccessPoints: method(I.WIRELESS, "GetAllAccessPoints", "", "ao"),
  /** NM ≥ 1.12: CLOCK_BOOTTIME ms of the last finished scan, -1 if none. */
  lastScan: property(I.WIRELESS, "LastScan", "x"),
  permHwAddress: property(I.WIRELESS, "PermHwAddress", "s"),
  hwAddress: property(I.WIRELESS, "HwAddress", "s"),
  activeAccessPoint: property(I.WIRELESS, "ActiveAccessPoint", "o"),

  apSsid: property(I.ACCESS_POINT, "Ssid", "ay"),
  apHwAddress: property(I.ACCESS_POINT, "HwAddress", "s"),
  apFrequency: property(I.ACCESS_POINT, "Frequency", "u"),
  apStrength: property(I.ACCESS_POINT, "Strength", "y"),
  apFlags: property(I.ACCESS_POINT, "Flags", "u"),
  apWpaFlags: property(I.ACCESS_POINT, "WpaFlags", "u"),
  apRsnFlags: property(I.ACCESS_POINT, "RsnFlags", "u"),

  activeState: property(I.ACTIVE, "State", "u"),
  activeConnection: property(I.ACTIVE, "Connection", "o"),
  activeId: property(I.ACTIVE, "Id", "s"),
  activeStateChanged: signal(I.ACTIVE, "StateChanged", "uu"),

  ip4AddressData: property(I.IP4_CONFIG, "AddressData", "aa{sv}"),
} as const satisfies Record<string, NmMember>;

/** NMDeviceState (NetworkManager's nm-dbus-types). */
export const NmDeviceState = {
  UNKNOWN: 0,
  UNMANAGED: 10,
  UNAVAILABLE: 20,
  DISCONNECTED: 30,
  PREPARE: 40,
  CONFIG: 50,
  NEED_AUTH: 60,
  IP_CONFIG: 70,
  IP_CHECK: 80,
  SECONDARIES: 90,
  ACTIVATED: 100,
  DEACTIVATING: 110,
  FAILED: 120,
} as const;

/** NMActiveConnectionState. */
export const NmActiveState = {
  UNKNOWN: 0,
  ACTIVATING: 1,
  ACTIVATED: 2,
  DEACTIVATING: 3,
  DEACTIVATED: 4,
} as const;

/** NMDeviceType WIFI. */
export const NM_DEVICE_TYPE_WIFI = 2;
