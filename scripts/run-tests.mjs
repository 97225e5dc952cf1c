// Runs every test/**/*.test.ts file with node:test through tsx (Node 20's --test takes no globs).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : collect("test");
// The `wifiprov-source` condition points the package's own `#crypto` and `#default-logger` imports at src/*.ts
// instead of the built dist/*.js (package.json "imports"). NODE_OPTIONS carries it into every child process
// a test spawns (`node --import tsx src/cli/main.ts`…).
const conditions = "--conditions=wifiprov-source";
const nodeOptions = [process.env.NODE_OPTIONS, conditions].filter(Boolean).join(" ");
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env: { ...process.env, NODE_OPTIONS: nodeOptions },
});
process.exit(result.status ?? 1);
