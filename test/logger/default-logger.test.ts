// The default logger is chosen by the `#default-logger` import conditions: util.debuglog on Node, and in a
// browser silent unless the page sets globalThis.WIFIPROV_DEBUG (then console.debug).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { defaultLogger as browserLogger } from "../../src/default-logger-browser.js";
import { defaultLogger as nodeLogger } from "../../src/default-logger-node.js";
import { defaultLogger } from "../../src/logger.js";

test("on Node the library default is the util.debuglog logger", () => {
  assert.equal(defaultLogger, nodeLogger);
});

test("browser default: silent without WIFIPROV_DEBUG, console.debug with it (read on every call)", (t) => {
  const lines: unknown[][] = [];
  t.mock.method(console, "debug", (...args: unknown[]) => lines.push(args));
  const flag = globalThis as { WIFIPROV_DEBUG?: unknown };
  try {
    browserLogger.info("quiet");
    assert.deepEqual(lines, []);
    flag.WIFIPROV_DEBUG = true;
    browserLogger.debug("session started");
    browserLogger.warn("odd reply", { status: 3 });
    browserLogger.error("gave up");
    assert.deepEqual(lines, [
      ["wifiprov session started"],
      ["wifiprov WARN odd reply", { status: 3 }],
      ["wifiprov ERROR gave up"],
    ]);
  } finally {
    delete flag.WIFIPROV_DEBUG;
  }
});

test("Node default: without NODE_DEBUG=wifiprov the fields are never formatted", () => {
  if (/\bwifiprov\b/.test(process.env.NODE_DEBUG ?? "")) return; // the suite itself runs with the debug log on
  let inspected = 0;
  const fields = {
    [Symbol.for("nodejs.util.inspect.custom")]: () => {
      inspected++;
      return "fields";
    },
  };
  nodeLogger.debug("request served", fields);
  nodeLogger.warn("odd reply", fields);
  assert.equal(inspected, 0);
});

test("Node default: with NODE_DEBUG=wifiprov every level is printed with its fields", () => {
  const code =
    `import { defaultLogger } from ${JSON.stringify(new URL("../../src/default-logger-node.ts", import.meta.url).href)};\n` +
    `defaultLogger.debug("served", { status: 3 }); defaultLogger.warn("odd"); defaultLogger.error("gave up", { n: 1 });`;
  const run = spawnSync(process.execPath, [...process.execArgv, "--input-type=module", "-e", code], {
    env: { ...process.env, NODE_DEBUG: "wifiprov" },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stderr
    .trim()
    .split("\n")
    .map((l) => l.replace(/^WIFIPROV \d+: /, ""));
  assert.deepEqual(lines, ["served { status: 3 }", "WARN odd", "ERROR gave up { n: 1 }"]);
});
