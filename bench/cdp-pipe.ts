/**
 * Chromium driven over its DevTools pipe with nothing else attached: for a first-paint figure that is the
 * browser's alone. Playwright, when it drives a page, enables the Runtime domain and adds a script world of
 * its own to every document, so Blink builds two script contexts while it commits the page — work no phone
 * does: in a Chromium trace at ×4 its world took 25 ms of a 297 ms first paint. Only Target, Emulation and
 * Page are used here, and Runtime.evaluate only after the paint.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

const WAIT_MS = 30_000;

export class CdpPipe {
  readonly #child: ChildProcess;
  readonly #profile: string;
  readonly #out: Writable;
  #next = 1;
  #buffer = "";
  readonly #pending = new Map<number, (message: Message) => void>();
  #listeners: Array<(message: Message) => void> = [];

  private constructor(child: ChildProcess, profile: string) {
    this.#child = child;
    this.#profile = profile;
    this.#out = child.stdio[3] as Writable;
    (child.stdio[4] as Readable).on("data", (chunk: Buffer) => this.#receive(chunk));
  }

  /** Starts `executable` with `args` and a fresh profile; messages travel on fds 3 and 4, NUL-separated. */
  static async launch(executable: string, args: readonly string[]): Promise<CdpPipe> {
    const profile = await mkdtemp(join(tmpdir(), "wifiprov-cdp-"));
    const child = spawn(executable, [...args, "--remote-debugging-pipe", `--user-data-dir=${profile}`], {
      stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"],
    });
    const cdp = new CdpPipe(child, profile);
    // Every new tab waits until we have set its CPU throttling, before its first navigation.
    await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    return cdp;
  }

  #receive(chunk: Buffer): void {
    this.#buffer += chunk.toString("utf8");
    for (let end = this.#buffer.indexOf("\0"); end !== -1; end = this.#buffer.indexOf("\0")) {
      const message = JSON.parse(this.#buffer.slice(0, end)) as Message;
      this.#buffer = this.#buffer.slice(end + 1);
      if (message.id !== undefined) this.#pending.get(message.id)?.(message);
      else for (const listener of [...this.#listeners]) listener(message);
    }
  }

  send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.#next++;
    this.#out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise((resolve, reject) =>
      this.#pending.set(id, (message) => {
        this.#pending.delete(id);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve((message.result ?? {}) as T);
      }),
    );
  }

  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: (message: Message) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** The next event `accept` takes; rejects after 30 s so that a bench never hangs. */
  event(accept: (message: Message) => boolean): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        reject(new Error("no such DevTools event within 30 s"));
      }, WAIT_MS);
      const listener = (message: Message) => {
        if (!accept(message)) return;
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        resolve(message);
      };
      this.#listeners.push(listener);
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once("exit", resolve));
    await this.send("Browser.close").catch(() => undefined);
    await exited;
    await rm(this.#profile, { recursive: true, force: true });
  }
}

/**
 * Opens `url` in a new tab of a fresh browser context at CPU ×`rate`, the way Android's captive-portal app
 * opens a portal: an empty page first (CaptivePortalLoginActivity loads "" as text/html, then the portal
 * URL once that has loaded), so the navigation to the portal leaves a committed document, as it does there.
 * Returns what `expression` (awaited) gives once the page has painted contentfully.
 */
export async function paintedPage<T>(
  cdp: CdpPipe,
  url: string,
  rate: number,
  expression: string,
): Promise<T> {
  const { browserContextId } = await cdp.send<{ browserContextId: string }>("Target.createBrowserContext");
  try {
    const attached = cdp.event(
      (m) =>
        m.method === "Target.attachedToTarget" &&
        (m.params?.targetInfo as { browserContextId?: string; type?: string }).browserContextId ===
          browserContextId &&
        (m.params?.targetInfo as { type?: string }).type === "page",
    );
    await cdp.send("Target.createTarget", { url: "about:blank", browserContextId });
    const sessionId = (await attached).params?.sessionId as string;
    // Lifecycle events of this tab, kept from the start: one may arrive before Page.navigate has answered.
    const lifecycle: Array<{ name: string; loaderId: string }> = [];
    const unsubscribe = cdp.subscribe((m) => {
      if (m.sessionId === sessionId && m.method === "Page.lifecycleEvent")
        lifecycle.push(m.params as { name: string; loaderId: string });
    });
    const reached = async (name: string, loaderId: string) => {
      while (!lifecycle.some((e) => e.name === name && e.loaderId === loaderId))
        await cdp.event((m) => m.sessionId === sessionId && m.method === "Page.lifecycleEvent");
    };
    await cdp.send("Emulation.setCPUThrottlingRate", { rate }, sessionId);
    await cdp.send("Page.enable", {}, sessionId);
    await cdp.send("Page.setLifecycleEventsEnabled", { enabled: true }, sessionId);
    await cdp.send("Runtime.runIfWaitingForDebugger", {}, sessionId);
    const blank = await cdp.send<{ loaderId: string }>(
      "Page.navigate",
      { url: "data:text/html," },
      sessionId,
    );
    await reached("load", blank.loaderId);
    const portal = await cdp.send<{ loaderId: string }>("Page.navigate", { url }, sessionId);
    await reached("firstContentfulPaint", portal.loaderId);
    const { result } = await cdp.send<{ result: { value: T } }>(
      "Runtime.evaluate",
      { expression, awaitPromise: true, returnByValue: true },
      sessionId,
    );
    unsubscribe();
    return result.value;
  } finally {
    await cdp.send("Target.disposeBrowserContext", { browserContextId });
  }
}
