/**
 * Exponentiations done before they are asked for, on a worker thread: random exponents e (top bit set) with
 * base^e mod N. An SRP handshake starts with one on each side (the client's A = g^a, the device's g^b), and
 * neither depends on anything the peer sent, so a process that runs handshakes one after another (a virtual
 * fleet, `wifiprov fleet`, a test lab's device) can have them computed on another core meanwhile. The pool
 * answers at once or not at all: when it is empty the caller draws and computes its own, as without it.
 * Node only (node-crypto-port.ts uses it).
 *
 * The worker starts on the second request for a group, so a process that runs one handshake (a single
 * `wifiprov provision`) never pays for the thread (about 10 MiB and 25 ms of CPU to start); it ends after
 * IDLE_MS without a request, so a device that handshakes now and then does not keep it; and it is unref'd,
 * so it never keeps a process alive. Each pair is handed out once and the pool keeps no copy.
 */
import { Worker } from "node:worker_threads";

/** One exponent with its power, both big-endian; the power left-padded to the modulus length. */
export interface PowerPair {
  exponent: Uint8Array;
  power: Uint8Array;
}

/** Pairs kept ready per group: about the number of handshakes that start at the same moment. */
const DEPTH = 8;
/**
 * More are asked for only when fewer than this are ready or on their way, so that the threads exchange one
 * message per few pairs rather than one per pair.
 */
const LOW_WATER = DEPTH / 2;
/** A worker with nothing asked of it for this long is ended; the pairs it made stay ready. */
const IDLE_MS = 10_000;

/**
 * The worker, as plain JavaScript, so that it runs the same from the compiled package, from the sources
 * under tsx and from a bundle, with no file to locate. createDiffieHellman(N, 2) with setPrivateKey(e) and
 * computeSecret(base) is base^e mod N (modPow in node-crypto-port.ts says why the generator is 2). The
 * results are copied into arrays of their own: a Buffer may be a view of a larger pool, and a message
 * carries the whole ArrayBuffer under a view.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createDiffieHellman, randomBytes } = require("node:crypto");
const engines = new Map();
parentPort.on("message", ({ key, modulus, base, exponentBytes, count }) => {
  let engine = engines.get(key);
  if (engine === undefined) engines.set(key, (engine = createDiffieHellman(Buffer.from(modulus), 2)));
  const pairs = [];
  for (let i = 0; i < count; i++) {
    const exponent = randomBytes(exponentBytes);
    exponent[0] |= 0x80;
    engine.setPrivateKey(exponent);
    const power = engine.computeSecret(Buffer.from(base));
    pairs.push({ exponent: new Uint8Array(exponent), power: new Uint8Array(power) });
    exponent.fill(0);
  }
  parentPort.postMessage({ key, pairs });
});
`;

interface Group {
  modulus: Uint8Array;
  base: Uint8Array;
  exponentBytes: number;
  check: (pair: PowerPair) => boolean;
  ready: PowerPair[];
  /** Pairs asked of the worker and not yet received. */
  requested: number;
  asked: number;
  verified: boolean;
  disabled: boolean;
}

export class PowerPool {
  /** undefined: not running (not started yet, or ended when idle); null: failed or closed, for good. */
  #worker: Worker | null | undefined;
  readonly #groups = new Map<string, Group>();
  #waiters: (() => void)[] = [];
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** Whether the worker thread is running. */
  get started(): boolean {
    return this.#worker !== undefined && this.#worker !== null;
  }

  /**
   * A pair for this group if one is ready, else undefined (and more are on their way). `check` is called on
   * the group's first pair from the worker and must recompute the power another way: a group whose first
   * pair is wrong (a modulus OpenSSL mishandles) is never used.
   */
  take(
    modulus: Uint8Array,
    base: Uint8Array,
    exponentBytes: number,
    check: (pair: PowerPair) => boolean,
  ): PowerPair | undefined {
    if (this.#worker === null) return undefined;
    const key = `${Buffer.from(modulus).toString("hex")}:${Buffer.from(base).toString("hex")}:${exponentBytes}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = {
        modulus: Uint8Array.from(modulus),
        base: Uint8Array.from(base),
        exponentBytes,
        check,
        ready: [],
        requested: 0,
        asked: 0,
        verified: false,
        disabled: false,
      };
      this.#groups.set(key, group);
    }
    if (group.disabled) return undefined;
    group.asked++;
    const pair = group.ready.shift();
    if (group.asked >= 2) this.#refill(key, group);
    return pair;
  }

  /**
   * Resolves once nothing asked of the worker is outstanding (for tests and benchmarks). The worker keeps
   * the process alive while someone waits for it.
   */
  settled(): Promise<void> {
    if (this.#outstanding() === 0) return Promise.resolve();
    this.#worker?.ref();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends the worker; from then on the pool answers nothing. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#stop();
    if (worker) await worker.terminate();
  }

  /** Ends an idle worker (not the pool: the next refill starts another). */
  #retire(): void {
    const worker = this.#worker;
    if (!worker || this.#outstanding() > 0) return;
    this.#worker = undefined;
    worker.removeAllListeners();
    void worker.terminate();
  }

  #refill(key: string, group: Group): void {
    const have = group.ready.length + group.requested;
    if (have >= LOW_WATER) return;
    const worker = this.#start();
    if (worker === null) return;
    const count = DEPTH - have;
    group.requested += count;
    clearTimeout(this.#idleTimer);
    worker.postMessage({
      key,
      modulus: group.modulus,
      base: group.base,
      exponentBytes: group.exponentBytes,
      count,
    });
  }

  #start(): Worker | null {
    if (this.#worker !== undefined) return this.#worker;
    try {
      // No flags of the parent's (--import tsx, --input-type=module…): the source is plain CommonJS.
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      worker.on("message", (message: { key: string; pairs: PowerPair[] }) => this.#receive(message));
      // A worker that fails or ends takes the pool with it: callers go on computing their own pairs.
      const stop = () => this.#stop();
      worker.on("error", stop);
      worker.on("exit", stop);
      // After the listeners: adding a "message" listener refs the worker's port again.
      worker.unref();
      this.#worker = worker;
    } catch {
      this.#worker = null;
    }
    return this.#worker;
  }

  #receive({ key, pairs }: { key: string; pairs: PowerPair[] }): void {
    const group = this.#groups.get(key);
    if (group !== undefined && !group.disabled) {
      group.requested -= pairs.length;
      if (!group.verified) {
        group.verified = pairs.length > 0 && group.check(pairs[0]!);
        group.disabled = !group.verified;
      }
      if (!group.disabled) group.ready.push(...pairs);
    }
    this.#wake();
  }

  #stop(): void {
    clearTimeout(this.#idleTimer);
    this.#worker = null;
    this.#groups.clear();
    this.#wake();
  }

  #outstanding(): number {
    let n = 0;
    for (const group of this.#groups.values()) if (!group.disabled) n += group.requested;
    return n;
  }

  #wake(): void {
    if (this.#outstanding() > 0) return;
    if (this.#worker) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = setTimeout(() => this.#retire(), IDLE_MS);
      this.#idleTimer.unref();
    }
    if (this.#waiters.length === 0) return;
    this.#worker?.unref();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
