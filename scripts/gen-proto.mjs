// Regenerates src/proto/gen from src/proto/*.proto, offline: buf (an npm package with its own binary)
// compiles the schemas and runs protoc-gen-es from node_modules.
// With --check OUTDIR it writes to OUTDIR instead, so a test can compare against the committed code.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";

const check = process.argv.indexOf("--check");
const out = check >= 0 ? process.argv[check + 1] : "src/proto/gen";
if (!out) throw new Error("--check needs an output directory");
rmSync(out, { recursive: true, force: true });
const template = JSON.stringify({
  version: "v2",
  inputs: [{ directory: "src/proto" }],
  plugins: [
    {
      local: ["node", "node_modules/@bufbuild/protoc-gen-es/bin/protoc-gen-es"],
      out,
      opt: ["target=ts", "import_extension=js"],
    },
  ],
});
const buf = spawnSync("node_modules/.bin/buf", ["generate", "--template", template], {
  stdio: "inherit",
});
process.exit(buf.status ?? 1);
