/**
 * Debian's real NetworkManager daemon, sandboxed for tests on a shared machine. It runs ONLY inside namespaces
 * made for it (`unshare --net --mount --uts`): a network namespace that holds nothing but its own `lo` (the
 * host's interfaces are out of its sight and reach), and a mount namespace (private propagation) with tmpfs over
 * /run, /var/lib/NetworkManager and /etc/NetworkManager and a read-only sysfs of the new network namespace. Its
 * configuration, keyfile profiles, state and intern files live in a temp dir; it talks on a private
 * `dbus-daemon` (a socket in that temp dir, handed to it as DBUS_SYSTEM_BUS_ADDRESS), with polkit off
 * (`auth-polkit=false`), DNS and hostname untouched (`dns=none`, `rc-manager=unmanaged`, `hostname-mode=none`).
 *
 * Why a read-only sysfs: NetworkManager waits for udev to announce each interface unless sysfs is read-only
 * (its sign of a container), and no udev runs here; a fresh sysfs also shows the new namespace's interfaces
 * rather than the host's.
 *
 * Readiness is waited for on events: the bus address dbus-daemon prints, NetworkManager's bus name being owned,
 * then its `Startup` property turning false (PropertiesChanged). `stop()` sends SIGTERM to the daemon and waits
 * for it and for dbus-daemon. If the test process dies first (even by SIGKILL), `setpriv --pdeathsig` ends
 * dbus-daemon and `unshare`, and `unshare --kill-child` ends NetworkManager: no stray process.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dbus from "@particle/dbus-next";
import { endProcess, firstLine, trackForExit } from "../child-processes.js";
import { privateBusConfig } from "../private-bus.js";
import { needsSystemPackage } from "../system.js";

const NM_NAME = "org.freedesktop.NetworkManager";
const NM_PATH = "/org/freedesktop/NetworkManager";
const PROPERTIES = "org.freedesktop.DBus.Properties";
const NM_BINARY = "/usr/sbin/NetworkManager";
/** Longest wait for the daemon to be ready (it takes well under a second); a guard against a hang, not a sleep. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

let namespaceProbe: string | undefined | null = null;

/**
 * `{ skip }` unless this machine can run the sandbox: root (for the namespaces and for NetworkManager),
 * `unshare` able to make network and mount namespaces, Debian's network-manager and dbus installed.
 */
export function needsRealNm(): { skip?: string } {
  for (const [pkg, probe] of [
    ["dbus", "dbus-daemon"],
    ["network-manager", NM_BINARY],
  ] as const) {
    const result = needsSystemPackage(pkg, probe);
    if (result.skip !== undefined) return result;
  }
  if (process.getuid?.() !== 0) {
    return { skip: "the real NetworkManager runs in namespaces of its own, which needs root" };
  }
  if (namespaceProbe === null) {
    const probe = spawnSync("unshare", ["--net", "--mount", "--uts", "--fork", "true"], { encoding: "utf8" });
    namespaceProbe =
      probe.status === 0
        ? undefined
        : `cannot create network+mount namespaces here (unshare: ${(probe.stderr || String(probe.error)).trim()})`;
  }
  return namespaceProbe === undefined ? {} : { skip: namespaceProbe };
}

function nmConfig(keyfileDir: string): string {
  return `# wifiprov test sandbox: nothing here may reach beyond the sandbox.
[main]
plugins=keyfile
auth-polkit=false
dns=none
rc-manager=unmanaged
systemd-resolved=false
hostname-mode=none
dhcp=internal
no-auto-default=*

[keyfile]
path=${keyfileDir}

[logging]
level=INFO
backend=debug
`;
}

/** The shell run inside the new namespaces: private mounts first, then it becomes NetworkManager. */
function sandboxScript(dir: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    "set -e",
    // unshare(1) makes the mount namespace's propagation private, so none of these mounts reach the host.
    "mount -t tmpfs tmpfs /run",
    "for d in /var/lib/NetworkManager /etc/NetworkManager; do if [ -d $d ]; then mount -t tmpfs tmpfs $d; fi; done",
    "mount -t sysfs -o ro sysfs /sys",
    "echo $$",
    `exec ${NM_BINARY} --debug --config=${q(join(dir, "NetworkManager.conf"))}` +
      ` --config-dir=${q(join(dir, "conf.d"))} --system-config-dir=${q(join(dir, "conf.d"))}` +
      ` --intern-config=${q(join(dir, "intern.conf"))} --state-file=${q(join(dir, "NetworkManager.state"))}`,
  ].join("\n");
}

export class RealNetworkManager {
  readonly address: string;
  readonly #dir: string;
  readonly #dbusDaemon: ChildProcess;
  #sandbox: ChildProcess | undefined;
  #nmPid: number | undefined;
  #log = "";
  #stopped = false;

  private constructor(dir: string, dbusDaemon: ChildProcess, address: string) {
    this.#dir = dir;
    this.#dbusDaemon = dbusDaemon;
    this.address = address;
  }

  /** Environment for a child process (the wifiprov CLI) that should see this daemon as NetworkManager. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: this.address };
  }

  /** The directory NetworkManager keeps its keyfile profiles in (what AddConnection wrote to disk). */
  get keyfileDir(): string {
    return join(this.#dir, "system-connections");
  }

  /** What the daemon logged so far (for assertion messages). */
  log(): string {
    return this.#log;
  }

  static async start(): Promise<RealNetworkManager> {
    // Not under /run or NetworkManager's own directories: the sandbox mounts tmpfs over those.
    const base = /^\/(run|var\/run|var\/lib\/NetworkManager|etc\/NetworkManager)(\/|$)/.test(tmpdir())
      ? "/tmp"
      : tmpdir();
    const dir = await mkdtemp(join(base, "wifiprov-realnm-"));
    await mkdir(join(dir, "system-connections"));
    await mkdir(join(dir, "conf.d"));
    await writeFile(join(dir, "bus.conf"), privateBusConfig(join(dir, "bus"), "system"));
    await writeFile(join(dir, "NetworkManager.conf"), nmConfig(join(dir, "system-connections")));
    // setpriv --pdeathsig: the bus ends with the test process even when that is SIGKILLed (no exit hook runs then).
    const daemon = spawn(
      "setpriv",
      [
        "--pdeathsig",
        "SIGTERM",
        "dbus-daemon",
        `--config-file=${join(dir, "bus.conf")}`,
        "--nofork",
        "--print-address=1",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    trackForExit(daemon);
    let address: string;
    try {
      address = await firstLine(daemon, "dbus-daemon");
    } catch (error) {
      await endProcess(daemon);
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const nm = new RealNetworkManager(dir, daemon, address);
    try {
      await nm.#startDaemon();
    } catch (error) {
      const log = nm.#log;
      await nm.stop();
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nNetworkManager log:\n${log}`,
        {
          cause: error,
        },
      );
    }
    return nm;
  }

  async #startDaemon(): Promise<void> {
    const control = dbus.sessionBus({ busAddress: this.address });
    control.on("error", () => {});
    let timer: NodeJS.Timeout | undefined;
    try {
      const busObject = await control.getProxyObject("org.freedesktop.DBus", "/org/freedesktop/DBus");
      const daemonIface = busObject.getInterface("org.freedesktop.DBus");
      const owned = new Promise<void>((resolve) => {
        daemonIface.on("NameOwnerChanged", (name: string, _old: string, owner: string) => {
          if (name === NM_NAME && owner !== "") resolve();
        });
      });
      // Subscribed before the daemon starts, so the change of Startup cannot slip past.
      let startupDone!: () => void;
      const started = new Promise<void>((resolve) => (startupDone = resolve));
      await control.call(
        new dbus.Message({
          destination: "org.freedesktop.DBus",
          path: "/org/freedesktop/DBus",
          interface: "org.freedesktop.DBus",
          member: "AddMatch",
          signature: "s",
          body: [`type='signal',sender='${NM_NAME}'`],
        }),
      );
      control.on("message", (msg: dbus.Message) => {
        if (msg.type !== dbus.MessageType.SIGNAL) return;
        if (msg.path === NM_PATH && msg.interface === PROPERTIES && msg.member === "PropertiesChanged") {
          const changed = msg.body[1] as Record<string, dbus.Variant> | undefined;
          if (changed?.Startup?.value === false) startupDone();
        } else if (msg.member === "InterfacesAdded" && msg.body[0] === NM_PATH) {
          const added = msg.body[1] as Record<string, Record<string, dbus.Variant>> | undefined;
          if (added?.[NM_NAME]?.Startup?.value === false) startupDone();
        }
      });

      // setpriv --pdeathsig kills unshare when the test process dies, however it dies; --kill-child then takes
      // NetworkManager with it.
      const sandbox = spawn(
        "setpriv",
        [
          "--pdeathsig",
          "SIGKILL",
          "unshare",
          "--net",
          "--mount",
          "--uts",
          "--fork",
          "--kill-child",
          "--",
          "/bin/sh",
          "-c",
          sandboxScript(this.#dir),
        ],
        { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: this.address } },
      );
      trackForExit(sandbox);
      this.#sandbox = sandbox;
      sandbox.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.#log += chunk));
      const exited = once(sandbox, "exit").then(([code, signal]) => {
        throw new Error(`NetworkManager's sandbox exited (${String(code ?? signal)}) before it was ready`);
      });
      exited.catch(() => {}); // after readiness an exit is stop()'s business
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`NetworkManager was not ready within ${START_TIMEOUT_MS / 1000} s`)),
          START_TIMEOUT_MS,
        );
      });
      const pid = firstLine(sandbox, "NetworkManager's sandbox").then(Number);
      this.#nmPid = await Promise.race([pid, exited, timeout]);
      await Promise.race([owned, exited, timeout]);
      // The real daemon owns its name BEFORE it exports /org/freedesktop/NetworkManager (a Get at that moment
      // fails with UnknownMethod "Object does not exist"), so the name alone is no readiness: wait for Startup
      // to be false, read now or announced by PropertiesChanged / InterfacesAdded.
      const startup = await control
        .call(
          new dbus.Message({
            destination: NM_NAME,
            path: NM_PATH,
            interface: PROPERTIES,
            member: "Get",
            signature: "ss",
            body: [NM_NAME, "Startup"],
          }),
        )
        .catch(() => undefined);
      if ((startup?.body[0] as dbus.Variant | undefined)?.value !== false) {
        await Promise.race([started, exited, timeout]);
      }
    } finally {
      clearTimeout(timer);
      control.disconnect();
    }
  }

  /** Ends NetworkManager (SIGTERM, waited for) and the bus, and removes the temp dir. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const sandbox = this.#sandbox;
    if (sandbox !== undefined && sandbox.exitCode === null && sandbox.signalCode === null) {
      const exited = once(sandbox, "exit");
      // SIGTERM to NetworkManager itself (unshare ignores it while it waits for its child); it deletes its
      // volatile profiles and exits, then unshare follows.
      if (this.#nmPid !== undefined && Number.isInteger(this.#nmPid)) {
        try {
          process.kill(this.#nmPid, "SIGTERM");
        } catch {
          // already gone
        }
      } else sandbox.kill("SIGKILL");
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">(
        (resolve) => (timer = setTimeout(() => resolve("late"), STOP_TIMEOUT_MS)),
      );
      if ((await Promise.race([exited, late])) === "late") {
        sandbox.kill("SIGKILL"); // --kill-child takes NetworkManager with it
        await exited;
      }
      clearTimeout(timer);
    }
    await endProcess(this.#dbusDaemon);
    await rm(this.#dir, { recursive: true, force: true });
  }
}
