/**
 * The Radio contract, written once and run against every backend (SimulatedRadio, NetworkManager).
 * A backend's fixture names a network it can join and an SSID that is surely absent; everything else is
 * checked through the Radio interface only.
 *
 * Time: a backend that runs on a VirtualClock hands it over, and the suite moves that clock instead of waiting
 * (outcomes, scans, and the "nothing more happens" checks after advancing past every delay the radio has).
 * Only a backend driven by an outside process with its own timers (NetworkManager's D-Bus daemon) runs in real
 * time: the suite then waits on events, bounded by `eventTimeoutMs`, and watches `quietMs` for events that must
 * not come.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { VirtualClock } from "../../src/clock.js";
import type { Radio, StationEvent } from "../../src/wifi/radio.js";

export interface RadioFixture {
  radio: Radio;
  /** A network in range that the radio can join. */
  reachable: { ssid: Uint8Array; passphrase: Uint8Array };
  /** A WPA2 network in range, for the wrong-passphrase case (may be the same as `reachable`). */
  protectedNetwork: { ssid: Uint8Array; wrongPassphrase: Uint8Array };
  /** An SSID that is certainly not in range. */
  absentSsid: Uint8Array;
  /** The virtual time the radio runs on, if it does; the suite then moves it instead of waiting. */
  clock?: VirtualClock;
  /** Longest any single outcome may take, ms (of `clock` time if there is one; a generous bound). */
  eventTimeoutMs: number;
  /**
   * How long to watch for events that must not come, ms. On a virtual clock: time advanced past every delay
   * the radio could still have pending; in real time: a wait (only for radios with no virtual clock).
   */
  quietMs: number;
  cleanup?(): Promise<void>;
}

/** protocol.md §8.2: the reasons the manager maps to AuthError. */
export const authErrorReasons = [2, 14, 15, 202, 204];

/**
 * Collects events and waits for the first one matching a predicate. With a VirtualClock (the one the radio
 * runs on), waiting moves that clock from one due timer to the next instead of passing real time.
 */
export class EventLog {
  readonly events: StationEvent[] = [];
  readonly #waiters: Array<{ match: (e: StationEvent) => boolean; resolve: (e: StationEvent) => void }> = [];
  readonly #clock: VirtualClock | undefined;
  readonly unsubscribe: () => void;

  constructor(radio: Radio, clock?: VirtualClock) {
    this.#clock = clock;
    this.unsubscribe = radio.onEvent((event) => {
      this.events.push(event);
      for (const waiter of [...this.#waiters]) {
        if (waiter.match(event)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
  }

  /**
   * Resolves with the first event (already seen or future) for which `match` holds. `timeoutMs` bounds the
   * wait (virtual time on a VirtualClock, where it fails as soon as the radio has nothing left to do).
   */
  waitFor(match: (e: StationEvent) => boolean, timeoutMs: number, what: string): Promise<StationEvent> {
    const seen = this.events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.#clock !== undefined) return this.#advanceUntil(this.#clock, match, timeoutMs, what);
    return new Promise((resolve, reject) => {
      // Real time: a guard that fires only when the test is failing.
      const timer = setTimeout(() => {
        reject(new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(this.types())}`));
      }, timeoutMs);
      this.#waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  async #advanceUntil(
    clock: VirtualClock,
    match: (e: StationEvent) => boolean,
    limitMs: number,
    what: string,
  ): Promise<StationEvent> {
    const limit = clock.now() + limitMs;
    for (;;) {
      await clock.advance(0); // lets the promise jobs already queued run
      const seen = this.events.find(match);
      if (seen !== undefined) return seen;
      const next = clock.nextDue;
      const events = JSON.stringify(this.types());
      if (next === undefined)
        throw new Error(`no ${what}: the radio has nothing left to do; events: ${events}`);
      if (next > limit) throw new Error(`no ${what} within ${limitMs} ms of radio time; events: ${events}`);
      await clock.advance(next - clock.now());
    }
  }

  outcome(timeoutMs: number): Promise<StationEvent> {
    return this.waitFor((e) => e.type === "connected" || e.type === "disconnected", timeoutMs, "outcome");
  }

  /**
   * Awaits a radio operation that completes on the radio's own time (a scan): on a VirtualClock, moves the
   * clock until it settles; otherwise just awaits it.
   */
  async run<T>(operation: Promise<T>, what = "operation"): Promise<T> {
    const clock = this.#clock;
    if (clock === undefined) return operation;
    let done = false;
    const watched = operation.finally(() => {
      done = true;
    });
    for (;;) {
      await clock.advance(0);
      if (done) return watched;
      const next = clock.nextDue;
      if (next === undefined) {
        watched.catch(() => {}); // reported below instead
        throw new Error(`${what} never completed: the radio has nothing left to do`);
      }
      await clock.advance(next - clock.now());
    }
  }

  /**
   * Lets `ms` pass so that events that must not come would have come: on a VirtualClock by advancing it (every
   * timer due in that window fires, in order); otherwise by waiting in real time — only for radios whose
   * events come from another process with its own timers, which no virtual clock reaches.
   */
  async quiet(ms: number): Promise<void> {
    if (this.#clock !== undefined) await this.#clock.advance(ms);
    else await new Promise<void>((resolve) => setTimeout(resolve, ms));
  }

  types(): string[] {
    return this.events.map((e) => (e.type === "disconnected" ? `disconnected:${e.reason}` : e.type));
  }

  clear(): void {
    this.events.length = 0;
  }
}

export function radioSuite(name: string, factory: () => Promise<RadioFixture>): void {
  async function withFixture(body: (f: RadioFixture, log: EventLog) => Promise<void>): Promise<void> {
    const fixture = await factory();
    const log = new EventLog(fixture.radio, fixture.clock);
    try {
      await body(fixture, log);
    } finally {
      log.unsubscribe();
      await fixture.radio.close();
      await fixture.cleanup?.();
    }
  }

  test(`${name}: the MAC is 6 bytes, stable, and a copy`, () =>
    withFixture(async ({ radio }) => {
      const a = await radio.macAddress();
      assert.equal(a.length, 6);
      a[0] = a[0]! ^ 0xff;
      assert.notDeepEqual(await radio.macAddress(), a);
      assert.deepEqual(await radio.macAddress(), await radio.macAddress());
    }));

  test(`${name}: joining a reachable network reports connected with IP, SSID, BSSID, channel, auth mode`, () =>
    withFixture(async (f, log) => {
      await f.radio.connect({ ssid: f.reachable.ssid, passphrase: f.reachable.passphrase });
      const event = await log.outcome(f.eventTimeoutMs);
      assert.equal(event.type, "connected", `events: ${log.types().join(", ")}`);
      if (event.type !== "connected") return;
      assert.match(event.info.ip4, /^\d{1,3}(\.\d{1,3}){3}$/);
      assert.deepEqual(event.info.ssid, f.reachable.ssid);
      assert.equal(event.info.bssid.length, 6);
      assert.ok(event.info.channel >= 1 && event.info.channel <= 14);
      assert.ok(Number.isInteger(event.info.authMode) && event.info.authMode >= 0);
      const started = log.events.findIndex((e) => e.type === "started");
      if (started >= 0) assert.ok(started < log.events.indexOf(event), "started comes before the outcome");
    }));

  test(`${name}: a wrong passphrase is reported with an AuthError reason`, () =>
    withFixture(async (f, log) => {
      await f.radio.connect({
        ssid: f.protectedNetwork.ssid,
        passphrase: f.protectedNetwork.wrongPassphrase,
      });
      const event = await log.outcome(f.eventTimeoutMs);
      assert.equal(event.type, "disconnected");
      if (event.type === "disconnected")
        assert.ok(authErrorReasons.includes(event.reason), `reason ${event.reason}`);
    }));

  test(`${name}: an SSID not in range is reported as 201 NO_AP_FOUND`, () =>
    withFixture(async (f, log) => {
      await f.radio.connect({ ssid: f.absentSsid, passphrase: new TextEncoder().encode("whatever-pass") });
      const event = await log.outcome(f.eventTimeoutMs);
      assert.deepEqual(event, { type: "disconnected", reason: 201 });
    }));

  test(`${name}: the radio can try again after a failure`, () =>
    withFixture(async (f, log) => {
      await f.radio.connect({ ssid: f.absentSsid, passphrase: new Uint8Array(0) });
      assert.equal((await log.outcome(f.eventTimeoutMs)).type, "disconnected");
      log.clear();
      await f.radio.connect({ ssid: f.reachable.ssid, passphrase: f.reachable.passphrase });
      assert.equal((await log.outcome(f.eventTimeoutMs)).type, "connected");
    }));

  test(`${name}: disconnect() during an attempt cancels it: no events afterwards`, () =>
    withFixture(async (f, log) => {
      await f.radio.connect({ ssid: f.reachable.ssid, passphrase: f.reachable.passphrase });
      await f.radio.disconnect();
      log.clear();
      await log.quiet(f.quietMs);
      assert.deepEqual(log.types(), []);
    }));

  test(`${name}: a new connect() replaces the attempt in progress: only the new outcome arrives`, () =>
    withFixture(async (f, log) => {
      await f.radio.connect({ ssid: f.absentSsid, passphrase: new Uint8Array(0) });
      await f.radio.connect({ ssid: f.reachable.ssid, passphrase: f.reachable.passphrase });
      const event = await log.outcome(f.eventTimeoutMs);
      assert.equal(event.type, "connected", `events: ${log.types().join(", ")}`);
      await log.quiet(f.quietMs);
      assert.ok(!log.types().includes("disconnected:201"), `stale outcome: ${log.types().join(", ")}`);
    }));

  test(`${name}: disconnect() after connecting is quiet and leaves the radio usable`, () =>
    withFixture(async (f, log) => {
      await f.radio.connect({ ssid: f.reachable.ssid, passphrase: f.reachable.passphrase });
      assert.equal((await log.outcome(f.eventTimeoutMs)).type, "connected");
      await f.radio.disconnect();
      log.clear();
      await log.quiet(f.quietMs);
      assert.deepEqual(log.types(), []);
      await f.radio.connect({ ssid: f.reachable.ssid, passphrase: f.reachable.passphrase });
      assert.equal((await log.outcome(f.eventTimeoutMs)).type, "connected");
    }));

  test(`${name}: unsubscribed listeners get nothing`, () =>
    withFixture(async (f, log) => {
      const other: StationEvent[] = [];
      const off = f.radio.onEvent((e) => other.push(e));
      off();
      await f.radio.connect({ ssid: f.absentSsid, passphrase: new Uint8Array(0) });
      await log.outcome(f.eventTimeoutMs);
      assert.deepEqual(other, []);
    }));

  test(`${name}: scan lists visible networks, well-formed and strongest first`, () =>
    withFixture(async (f, log) => {
      const results = await log.run(f.radio.scan(), "scan");
      assert.ok(results.length > 0);
      for (const ap of results) {
        assert.ok(ap.ssid.length >= 1 && ap.ssid.length <= 32);
        assert.equal(ap.bssid.length, 6);
        assert.ok(ap.channel >= 1 && ap.channel <= 14);
        assert.ok(ap.rssi < 0 && ap.rssi >= -127);
        assert.ok(Number.isInteger(ap.authMode) && ap.authMode >= 0);
      }
      const rssis = results.map((r) => r.rssi);
      assert.deepEqual(
        rssis,
        [...rssis].sort((a, b) => b - a),
      );
      assert.ok(results.some((r) => Buffer.from(r.ssid).equals(Buffer.from(f.reachable.ssid))));
    }));

  test(`${name}: scan honours groupChannels, passive and dwell options`, () =>
    withFixture(async (f, log) => {
      const grouped = await log.run(f.radio.scan({ groupChannels: 4, dwellMs: 30 }), "grouped scan");
      const passive = await log.run(f.radio.scan({ passive: true }), "passive scan");
      assert.ok(grouped.length > 0 && passive.length > 0);
    }));

  test(`${name}: scan rejects with ABORTED when its signal fires, before or during the scan`, () =>
    withFixture(async (f, log) => {
      const isAborted = (e: unknown) => (e as { code?: string }).code === "WIFIPROV_ABORTED";
      await assert.rejects(f.radio.scan({ signal: AbortSignal.abort() }), isAborted);
      const controller = new AbortController();
      const scanning = f.radio.scan({ signal: controller.signal, passive: true });
      controller.abort();
      await assert.rejects(scanning, isAborted);
      assert.ok((await log.run(f.radio.scan(), "scan")).length > 0, "the radio scans again after an abort");
    }));

  test(`${name}: SoftAP starts, restarts and stops; a bad password is a usage error`, () =>
    withFixture(async ({ radio }) => {
      await radio.startSoftAp({ ssid: "PROV_112233", password: "" });
      await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS", channel: 6, maxStations: 5 });
      await radio.stopSoftAp();
      await radio.stopSoftAp();
      const isUsage = (e: unknown) => (e as { code?: string }).code === "WIFIPROV_USAGE";
      await assert.rejects(radio.startSoftAp({ ssid: "PROV_112233", password: "short" }), isUsage);
      await assert.rejects(radio.startSoftAp({ ssid: "PROV_112233", password: "x".repeat(65) }), isUsage);
    }));

  test(`${name}: close() ends an attempt silently and is idempotent`, () =>
    withFixture(async (f, log) => {
      await f.radio.connect({ ssid: f.reachable.ssid, passphrase: f.reachable.passphrase });
      await f.radio.close();
      await f.radio.close();
      log.clear();
      await log.quiet(f.quietMs);
      assert.deepEqual(log.types(), []);
    }));
}
