/**
 * A NetworkManager that owns its bus name and never answers a call (a wedged daemon), on a private bus: tests of
 * "NetworkManager answers less than the real one" at the level of a single D-Bus reply. `received(member)`
 * resolves once such a call has arrived, so a test knows the caller is now waiting.
 */
import dbus from "@particle/dbus-next";

export interface SilentNetworkManager {
  received(member: string): Promise<void>;
  stop(): void;
}

export async function startSilentNetworkManager(address: string): Promise<SilentNetworkManager> {
  const bus = dbus.sessionBus({ busAddress: address });
  const seen = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  // Every call to the name is taken and dropped: no reply, no error.
  bus.addMethodHandler((message: dbus.Message) => {
    const member = message.member ?? "";
    seen.add(member);
    for (const resolve of waiters.get(member) ?? []) resolve();
    waiters.delete(member);
    return true;
  });
  await bus.requestName("org.freedesktop.NetworkManager", 0);
  return {
    received: (member) =>
      seen.has(member)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.set(member, [...(waiters.get(member) ?? []), resolve])),
    stop: () => bus.disconnect(),
  };
}
