// The pool of powers computed ahead on a worker thread (src/crypto/power-pool.ts): when it starts a thread,
// that its pairs are right and handed out once, that a wrong first pair or a stopped worker leaves callers
// computing their own, and that a process using it still exits by itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bigIntModPow, bytesToBigInt, SRP_N, SRP_N_BYTES } from "../../src/crypto/index.js";
import { cryptoPort, powerPool } from "../../src/crypto/node-crypto-port.js";
import { PowerPool } from "../../src/crypto/power-pool.js";
import type { PowerPair } from "../../src/crypto/power-pool.js";

const FIVE = Uint8Array.of(5);
const right = ({ exponent, power }: PowerPair) =>
  bigIntModPow(5n, bytesToBigInt(exponent), SRP_N) === bytesToBigInt(power);

test("one request starts no thread; the second does, and the pairs that follow are right, each once", async () => {
  const pool = new PowerPool();
  try {
    assert.equal(pool.take(SRP_N_BYTES, FIVE, 32, right), undefined);
    assert.equal(pool.started, false, "a process that runs one handshake never starts the thread");
    assert.equal(pool.take(SRP_N_BYTES, FIVE, 32, right), undefined);
    assert.equal(pool.started, true);
    await pool.settled();
    const seen = new Set<string>();
    for (
      let pair = pool.take(SRP_N_BYTES, FIVE, 32, right);
      pair;
      pair = pool.take(SRP_N_BYTES, FIVE, 32, right)
    ) {
      assert.equal(pair.exponent.length, 32);
      assert.ok(pair.exponent[0]! >= 0x80, "the top bit is set, as esp_prov sets it in a");
      assert.equal(pair.power.length, 384, "left-padded to the modulus length");
      assert.ok(right(pair), "power = 5^exponent mod N");
      const key = Buffer.from(pair.exponent).toString("hex");
      assert.ok(!seen.has(key), "no exponent is handed out twice");
      seen.add(key);
    }
    assert.ok(seen.size >= 4, `got ${seen.size} pairs`);
  } finally {
    await pool.close();
  }
});

test("a worker asked nothing for 10 s ends, its pairs stay ready, and the next refill starts another", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const pool = new PowerPool();
  try {
    pool.take(SRP_N_BYTES, FIVE, 32, right);
    pool.take(SRP_N_BYTES, FIVE, 32, right);
    await pool.settled();
    t.mock.timers.tick(9_999);
    assert.equal(pool.started, true);
    t.mock.timers.tick(1);
    assert.equal(pool.started, false, "an idle device does not keep the thread");
    const kept = pool.take(SRP_N_BYTES, FIVE, 32, right);
    assert.ok(kept !== undefined && right(kept), "the pairs made before are still handed out");
    while (pool.take(SRP_N_BYTES, FIVE, 32, right) !== undefined);
    assert.equal(pool.started, true, "running low starts a new worker");
    await pool.settled();
    const fresh = pool.take(SRP_N_BYTES, FIVE, 32, right);
    assert.ok(fresh !== undefined && right(fresh));
  } finally {
    await pool.close();
  }
});

test("a group whose first pair does not check out is never used", async () => {
  const pool = new PowerPool();
  try {
    const wrong = () => false;
    pool.take(SRP_N_BYTES, FIVE, 32, wrong);
    pool.take(SRP_N_BYTES, FIVE, 32, wrong);
    await pool.settled();
    for (let i = 0; i < 20; i++) assert.equal(pool.take(SRP_N_BYTES, FIVE, 32, wrong), undefined);
    await pool.settled();
    assert.equal(pool.take(SRP_N_BYTES, FIVE, 32, wrong), undefined, "and no more were asked for");
  } finally {
    await pool.close();
  }
});

test("once closed, the pool answers nothing and starts no other worker", async () => {
  const pool = new PowerPool();
  pool.take(SRP_N_BYTES, FIVE, 32, right);
  pool.take(SRP_N_BYTES, FIVE, 32, right);
  await pool.close();
  for (let i = 0; i < 3; i++) assert.equal(pool.take(SRP_N_BYTES, FIVE, 32, right), undefined);
  assert.equal(pool.started, false);
  await pool.settled();
});

test("node:crypto's powerAhead hands out the process pool's pairs as base^exponent mod N", async () => {
  cryptoPort.powerAhead!(SRP_N_BYTES, 5n, 32);
  cryptoPort.powerAhead!(SRP_N_BYTES, 5n, 32);
  await powerPool.settled();
  const pair = cryptoPort.powerAhead!(SRP_N_BYTES, 5n, 32);
  assert.ok(pair !== undefined);
  assert.ok(right(pair));
});

// The timeout only ends a run that already failed (a process that never exits).
test(
  "a process whose pool thread has started still exits by itself when its work is done",
  { timeout: 60_000 },
  async (t) => {
    // Two requests start the thread; the third, a turn later, finds pairs or asks for more. Then nothing is
    // left to do: the unref'd worker must not keep the process alive.
    const dir = mkdtempSync(join(tmpdir(), "wifiprov-pool-"));
    const script = join(dir, "handshakes.mts");
    writeFileSync(
      script,
      [
        `import { srpPrivateAhead } from ${JSON.stringify(new URL("../../src/crypto/srp.ts", import.meta.url).href)};`,
        "srpPrivateAhead(); srpPrivateAhead();",
        `import { powerPool } from ${JSON.stringify(new URL("../../src/crypto/node-crypto-port.ts", import.meta.url).href)};`,
        "setTimeout(() => { srpPrivateAhead(); console.log(powerPool.started ? 'done' : 'no thread'); }, 0);",
      ].join("\n"),
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    t.after(() => {
      child.kill(); // when it failed to exit
      rmSync(dir, { recursive: true, force: true });
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0);
    assert.equal(out.trim(), "done");
  },
);
