// The public API is what README "Library API" lists, no more, no less: an export that appears or disappears
// in an entry point fails here until the README says so too. Names (values and types) come from TypeScript's
// own view of each entry module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const entries = {
  wifiprov: "src/index.ts",
  "wifiprov (browser)": "src/browser.ts",
  "wifiprov/device": "src/device-entry.ts",
} as const;

let cached: Record<keyof typeof entries, string[]> | undefined;

/** One TypeScript program for all entries (building it takes seconds), made once. */
function exportedNames(): Record<keyof typeof entries, string[]> {
  if (cached) return cached;
  const config = ts.readConfigFile(join(root, "tsconfig.json"), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const files = Object.values(entries).map((f) => join(root, f));
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const out = {} as Record<keyof typeof entries, string[]>;
  for (const [name, file] of Object.entries(entries) as [keyof typeof entries, string][]) {
    const source = program.getSourceFile(join(root, file));
    assert.ok(source, `${file} not found`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    assert.ok(moduleSymbol, `${file} is not a module`);
    out[name] = checker
      .getExportsOfModule(moduleSymbol)
      .map((s) => s.name)
      .sort();
  }
  return (cached = out);
}

/** The backticked names between `<!-- api: NAME -->` and `<!-- /api -->` in the README. */
function documented(entry: string): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf(`<!-- api: ${entry} -->`);
  assert.notEqual(start, -1, `README has no "<!-- api: ${entry} -->" list`);
  const end = readme.indexOf("<!-- /api -->", start);
  const names = [...readme.slice(start, end).matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]!);
  return [...new Set(names)].sort();
}

test("every entry point exports exactly what README 'Library API' lists", () => {
  const actual = exportedNames();
  for (const entry of ["wifiprov", "wifiprov/device"] as const) {
    assert.deepEqual(actual[entry], documented(entry), `${entry}: exports and README differ`);
  }
});

test("the browser build exports the Node entry's API, less the Node HTTP transport", () => {
  const actual = exportedNames();
  const nodeOnly = new Set(["HttpClientTransport", "HttpClientTransportOptions"]);
  assert.deepEqual(
    actual["wifiprov (browser)"],
    actual.wifiprov.filter((n) => !nodeOnly.has(n)),
  );
});
