/**
 * `npm run fuzz`: the long hostile-input run (the CI-sized versions are in test/hostile/). Defaults give
 * > 100,000 inputs plus a few hundred SIGKILLs:
 *   - in-session protocol fuzzing: sec0/sec1/sec2 × 6 endpoints × --runs (default 4000) inputs
 *   - random HTTP on raw sockets: --http (default 30000) inputs
 *   - SIGKILL of a real `wifiprov device` during ApplyConfig: --kills (default 200)
 *   - SIGKILL of the state store's save loop: --store-kills (default 300)
 * After every batch of 1000 inputs: no unhandled rejection / uncaught exception, TCP handles and timers back
 * to the baseline, heap bounded, and a legitimate src/client provisioning succeeds. Prints a summary; exits 1
 * on any failure.  Options: --runs N --http N --kills N --store-kills N --seed N
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runDeviceKills } from "../test/hostile/device-crash.js";
import {
  legitimateProvision,
  ProcessErrorTrap,
  settled,
  snapshot,
  startTarget,
} from "../test/hostile/harness.js";
import type { ResourceSnapshot, SecurityLevel } from "../test/hostile/harness.js";
import { emptyHttpStats, fuzzHttp } from "../test/hostile/http-fuzz.js";
import { FUZZ_ENDPOINTS, fuzzEndpoint, SessionFuzzer } from "../test/hostile/protocol-fuzz.js";
import { runCrashTrials } from "../test/store/crash-harness.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "4000" },
    http: { type: "string", default: "30000" },
    kills: { type: "string", default: "200" },
    "store-kills": { type: "string", default: "300" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
  },
});
const runsPerEndpoint = Number(values.runs);
const httpInputs = Number(values.http);
const deviceKills = Number(values.kills);
const storeKills = Number(values["store-kills"]);
const seed = Number(values.seed);
const BATCH = 1000;
const HEAP_MARGIN = 64 * 1024 * 1024;

interface Row {
  target: string;
  inputs: number;
  detail: string;
  failures: string[];
  seconds: number;
}
const rows: Row[] = [];
let maxRss = 0;
const trap = new ProcessErrorTrap();

function checkResources(baseline: ResourceSnapshot, now: ResourceSnapshot, extraTimers: number): string[] {
  maxRss = Math.max(maxRss, now.rss);
  const problems: string[] = [];
  if (now.tcp > baseline.tcp) problems.push(`TCP handles ${baseline.tcp} → ${now.tcp}`);
  if (now.timers > baseline.timers + extraTimers) problems.push(`timers ${baseline.timers} → ${now.timers}`);
  if (now.heapUsed - baseline.heapUsed > HEAP_MARGIN) {
    problems.push(`heap +${((now.heapUsed - baseline.heapUsed) / 1e6).toFixed(1)} MB`);
  }
  return problems;
}

async function afterBatch(
  row: Row,
  where: string,
  device: Awaited<ReturnType<typeof startTarget>>,
  level: SecurityLevel,
  baseline: ResourceSnapshot,
  extraTimers: number,
) {
  if (trap.errors.length > 0) row.failures.push(`${where}: ${trap.errors.splice(0).join("; ")}`);
  try {
    await legitimateProvision(device, level, { attempts: 3 });
  } catch (error) {
    row.failures.push(`${where}: legitimate client failed: ${String(error)}`);
  }
  for (const p of checkResources(baseline, await settled(baseline, extraTimers), extraTimers)) {
    row.failures.push(`${where}: ${p}`);
  }
}

async function protocolFuzz(level: SecurityLevel): Promise<void> {
  const device = await startTarget(level);
  const baseline = snapshot();
  try {
    for (const [e, endpoint] of FUZZ_ENDPOINTS.entries()) {
      await runRow(`sec${level} ${endpoint}`, async (row) => {
        const outcomes = { reply: 0, "closed-without-reply": 0, "http-status": 0, timeout: 0 };
        for (let done = 0, batch = 0; done < runsPerEndpoint; batch++) {
          const runs = Math.min(BATCH, runsPerEndpoint - done);
          const fuzzer = new SessionFuzzer(device.serviceName, level, {
            passLockout: device.guardTime.passLockout,
          });
          try {
            await fuzzEndpoint(fuzzer, endpoint, runs, seed + level * 1_000_000 + e * 10_000 + batch);
          } catch (error) {
            row.failures.push(`batch ${batch}: ${String(error).slice(0, 500)}`);
          } finally {
            await fuzzer.close();
          }
          row.inputs += fuzzer.stats.inputs;
          for (const [k, v] of Object.entries(fuzzer.stats.outcomes))
            outcomes[k as keyof typeof outcomes] += v;
          done += runs;
          await afterBatch(row, `batch ${batch}`, device, level, baseline, 0);
        }
        row.detail = `${outcomes.reply} replies, ${outcomes["http-status"]} HTTP error statuses, ${outcomes["closed-without-reply"]} closed without reply, ${outcomes.timeout} hangs`;
      });
    }
  } finally {
    await device.close();
  }
}

async function httpFuzz(): Promise<void> {
  const device = await startTarget(1);
  const baseline = snapshot();
  await runRow("random HTTP", async (row) => {
    const stats = emptyHttpStats();
    try {
      for (let done = 0, batch = 0; done < httpInputs; batch++) {
        const runs = Math.min(BATCH, httpInputs - done);
        try {
          await fuzzHttp(device.address.port, runs, seed + 7_000_000 + batch, stats);
        } catch (error) {
          row.failures.push(`batch ${batch}: ${String(error).slice(0, 500)}`);
        }
        done += runs;
        await afterBatch(row, `batch ${batch}`, device, 1, baseline, 0);
      }
    } finally {
      await device.close();
    }
    row.inputs = stats.inputs;
    const statuses = Object.entries(stats.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(" ");
    row.detail = `${stats.outcomes.replied} answered (${statuses}), ${stats.outcomes["closed-silently"]} closed without reply, ${stats.outcomes["reset-by-us"]} reset by us, ${stats.outcomes["left-open"]} left open`;
  });
}

async function kills(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "wifiprov-fuzz-"));
  try {
    await runRow("SIGKILL wifiprov device during ApplyConfig", async (device) => {
      try {
        const lanes = await Promise.all(
          [0, 1].map((lane) =>
            runDeviceKills({ dir: join(root, `device${lane}`), kills: Math.ceil(deviceKills / 2) }),
          ),
        );
        device.inputs = lanes.reduce((n, r) => n + r.kills, 0);
        const sum = (k: "newState" | "erased" | "oldState") => lanes.reduce((n, r) => n + r[k], 0);
        device.detail = `state after kill: new ${sum("newState")}, erased ${sum("erased")}, old ${sum("oldState")}; never unreadable`;
      } catch (error) {
        device.failures.push(String(error));
      }
    });

    await runRow("SIGKILL FileStateStore save loop", async (store) => {
      try {
        const lanes = await Promise.all(
          [0, 1].map((lane) =>
            runCrashTrials({ dir: join(root, `store${lane}`), kills: Math.ceil(storeKills / 2) }),
          ),
        );
        store.inputs = lanes.reduce((n, r) => n + r.kills, 0);
        store.detail = `${lanes.reduce((n, r) => n + r.acknowledged, 0)} saves acknowledged, ${lanes.reduce((n, r) => n + r.aheadOfAck, 0)} kills between rename and ack; always old or new`;
      } catch (error) {
        store.failures.push(String(error));
      }
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs one target with a fresh row, times it, then records and prints the row. */
async function runRow(target: string, work: (row: Row) => Promise<void>): Promise<void> {
  const row: Row = { target, inputs: 0, detail: "", failures: [], seconds: 0 };
  const started = Date.now();
  await work(row);
  row.seconds = (Date.now() - started) / 1000;
  rows.push(row);
  report(row);
}

function report(row: Row): void {
  process.stdout.write(
    `${row.failures.length === 0 ? "ok  " : "FAIL"} ${row.target}: ${row.inputs} in ${row.seconds.toFixed(1)} s — ${row.detail}\n`,
  );
  for (const f of row.failures.slice(0, 5)) process.stdout.write(`       ${f}\n`);
}

const started = Date.now();
process.stdout.write(
  `wifiprov fuzz: seed ${seed}, ${runsPerEndpoint}/endpoint, ${httpInputs} HTTP, ${deviceKills} device kills, ${storeKills} store kills\n`,
);
for (const level of [0, 1, 2] as SecurityLevel[]) await protocolFuzz(level);
await httpFuzz();
await kills();
trap.dispose();
maxRss = Math.max(maxRss, process.resourceUsage().maxRSS * 1024);

const failures = rows.reduce((n, r) => n + r.failures.length, 0);
const fuzzInputs = rows.filter((r) => !r.target.startsWith("SIGKILL")).reduce((n, r) => n + r.inputs, 0);
process.stdout.write(
  [
    "",
    "| target | inputs / trials | seconds | what happened |",
    "| --- | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.inputs} | ${r.seconds.toFixed(1)} | ${r.failures.length === 0 ? r.detail : `**${r.failures.length} failures**`} |`,
    ),
    "",
    `fuzz inputs: ${fuzzInputs}; SIGKILLs: ${rows.filter((r) => r.target.startsWith("SIGKILL")).reduce((n, r) => n + r.inputs, 0)}; ` +
      `crashes / unhandled rejections: ${failures === 0 ? 0 : "see failures"}; failures: ${failures}; ` +
      `max RSS: ${(maxRss / 1e6).toFixed(0)} MB; total ${((Date.now() - started) / 1000).toFixed(0)} s; seed ${seed}`,
    "",
  ].join("\n"),
);
process.exitCode = failures === 0 ? 0 : 1;
