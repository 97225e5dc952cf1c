/**
 * DNS for the captive portal on the SoftAP. NetworkManager's IPv4 "shared" method runs its own dnsmasq for the
 * connection, started when the connection activates, with `--conf-dir=/etc/NetworkManager/dnsmasq-shared.d` when
 * that directory exists (NetworkManager 1.2 and later, src/core/dnsmasq/nm-dnsmasq-manager.c: CONFDIR =
 * NMCONFDIR "/dnsmasq-shared.d", added only `if (g_file_test(CONFDIR, G_FILE_TEST_IS_DIR))`). dnsmasq reads the
 * directory once, at start. A file there saying `address=/#/192.168.4.1` makes it answer every name with the
 * device's address, so a phone's captive-portal probe (connectivitycheck.gstatic.com, captive.apple.com, …)
 * reaches our HTTP server and the phone opens the page by itself.
 *
 * So the file is written before the SoftAP is activated and removed when the SoftAP goes (success, a failure,
 * SIGTERM); every shared connection started while it exists would read it too, so it lives no longer than
 * wifiprov's SoftAP, and a leftover from a crash is removed at the next start. Writing needs root or write
 * permission on the directory; without it the device warns once and runs on (the probes then use the phone's
 * own DNS, which on a SoftAP without internet usually means the page does not pop up by itself).
 */
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../logger.js";

/** Where NetworkManager's shared-mode dnsmasq reads extra configuration (NMCONFDIR is /etc/NetworkManager). */
export const DNSMASQ_SHARED_DIR = "/etc/NetworkManager/dnsmasq-shared.d";
/** The one file wifiprov writes there. */
export const PORTAL_DNS_FILE = "wifiprov-captive-portal.conf";

export class PortalDns {
  readonly #dir: string;
  readonly #file: string;
  readonly #address: string;
  readonly #log: Logger;
  #warned = false;

  constructor(options: { dir: string; address: string; logger: Logger }) {
    this.#dir = options.dir;
    this.#file = join(options.dir, PORTAL_DNS_FILE);
    this.#address = options.address;
    this.#log = options.logger;
  }

  /** The file's path (for messages and tests). */
  get path(): string {
    return this.#file;
  }

  /** Writes the file (atomically: a crash leaves the old file or the new one); warns once if it cannot. */
  async install(): Promise<void> {
    const temporary = `${this.#file}.${process.pid}.tmp`;
    try {
      // NetworkManager passes --conf-dir only when the directory exists; create it if it does not.
      await mkdir(this.#dir, { recursive: true });
      await writeFile(
        temporary,
        `# Written by wifiprov while its provisioning SoftAP is up, removed when the SoftAP goes.\n` +
          `# Every name resolves to the device, so phones' captive-portal probes reach its page.\n` +
          `address=/#/${this.#address}\n`,
        { mode: 0o644 },
      );
      await rename(temporary, this.#file);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      if (!this.#warned) {
        this.#warned = true;
        this.#log.warn(
          `cannot write ${this.#file} (${errorCode(error)}): phones will ask their own DNS, so the portal page may not open by itself; run as root or let wifiprov's user write ${this.#dir}`,
        );
      }
    }
  }

  /** Removes the file if it is there (ours from this run or a crashed one); never throws. */
  async remove(): Promise<void> {
    try {
      await unlink(this.#file);
    } catch (error) {
      const code = errorCode(error);
      // ENOENT/ENOTDIR: nothing there. Anything else leaves a file that would answer every name on every
      // shared connection NetworkManager starts: say so.
      if (code !== "ENOENT" && code !== "ENOTDIR") {
        this.#log.warn(`cannot remove ${this.#file} (${code}); remove it by hand`);
      }
    }
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}
