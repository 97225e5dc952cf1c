// Installs the Debian packages listed in scripts/system-packages.txt that are missing, so that a fresh machine
// needs only `npm ci && npm test`. Runs before the tests (see package.json "test"). As root with apt-get it
// installs them (one `apt-get update` first); otherwise it prints the command a person can run, and exits 0:
// the tests that need a missing package skip and say why (test/helpers/system.ts).
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { delimiter, join } from "node:path";

const listFile = new URL("./system-packages.txt", import.meta.url);

/** Lines "package probe": probe is an absolute path or a command name looked up on PATH. */
export function readPackageList(text = readFileSync(listFile, "utf8")) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [name, probe] = line.split(/\s+/);
      return { name, probe: probe ?? name };
    });
}

export function isPresent(probe) {
  if (probe.startsWith("/")) return existsSync(probe);
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, probe)));
}

function main() {
  const missing = readPackageList().filter((p) => !isPresent(p.probe));
  if (missing.length === 0) return;
  const names = [...new Set(missing.map((p) => p.name))];
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !isPresent("apt-get")) {
    console.warn(
      `system-deps: missing Debian packages ${names.join(", ")}; the tests that need them will skip.\n` +
        `  Install them with: sudo apt-get update && sudo apt-get install -y ${names.join(" ")}`,
    );
    return;
  }
  console.log(`system-deps: installing ${names.join(", ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args) => spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env }).status;
  // The tests start their own dbus-daemon and NetworkManager inside sandboxes; the packages' own services must not
  // start on the machine (a NetworkManager started by its postinst would begin managing the host's network).
  // Debian's invoke-rc.d and deb-systemd-invoke ask /usr/sbin/policy-rc.d first, and exit status 101 means
  // "action forbidden". One is put in place only for the install, and only where the machine has none.
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) {
    writeFileSync(
      policy,
      "#!/bin/sh\n# wifiprov system-deps: no service starts during the test install\nexit 101\n",
    );
    chmodSync(policy, 0o755);
  }
  try {
    if (
      run(["-qq", "update"]) !== 0 ||
      run(["install", "-y", "-qq", "--no-install-recommends", ...names]) !== 0
    ) {
      console.error(`system-deps: apt-get failed; the tests that need ${names.join(", ")} will skip`);
    }
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
