// The default logger is chosen by the `#default-logger` import conditions: util.debuglog on Node, and in a
// browser silent unless the page sets globalThis.WIFIPROV_DEBUG (then console.debug).
import { test } from "node:test";
import assert from "node:assert/strict";
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
