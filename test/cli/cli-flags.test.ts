// The CLI as a child process: help, esp_prov flag parsing, usage errors before any connection, exit codes for
// unreachable devices, offline commands (qr, sec2-gen-cred). 127.0.0.1 only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closedPort, runCli, silentServer } from "./run-cli.js";

test("--help lists the commands and the exit-code table", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  for (const word of ["provision", "scan", "version", "qr", "sec2-gen-cred", "Exit codes:", "7  timed out"]) {
    assert.ok(r.stdout.includes(word), word);
  }
  const p = await runCli(["provision", "--help"]);
  assert.equal(p.code, 0);
  for (const flag of [
    "--transport",
    "--service_name",
    "--sec_ver",
    "--pop",
    "--sec2_username",
    "--sec2_pwd",
    "--ssid",
    "--passphrase",
    "--custom_data",
    "--reset",
    "--reprov",
    "--proto_ver",
    "--verbose",
    "--qrcode",
    "--timeout",
    "--json",
    "--no-input",
  ]) {
    assert.ok(p.stdout.includes(flag), flag);
  }
});

test("unknown flag: commander's error, a did-you-mean, exit 2", async () => {
  const r = await runCli(["provision", "--sssid", "x"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--sssid'/);
  assert.match(r.stderr, /Did you mean --ssid\?/);
  const c = await runCli(["provison"]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /Did you mean provision\?/);
});

test("usage errors exit 2 before anything is sent", async () => {
  const dev = await silentServer();
  const base = ["provision", "--service_name", `127.0.0.1:${dev.port}`, "--no-input"];
  try {
    const cases: [string[], RegExp][] = [
      [["--transport", "BLE", "--ssid", "x", "--passphrase", "mypassword"], /not supported/],
      [["--transport", "console", "--ssid", "x", "--passphrase", "mypassword"], /not supported/],
      [["--ssid", "myssid", "--passphrase", "short"], /8–63/],
      [["--ssid", "x".repeat(33), "--passphrase", "mypassword"], /32 bytes/],
      [["--ssid", "myssid", "--passphrase", "mypassword", "--sec_ver", "3"], /--sec_ver/],
      [["--ssid", "myssid", "--passphrase", "mypassword", "--timeout", "soon"], /--timeout/],
      [["--qrcode", "PROV_123", "--ssid", "myssid", "--passphrase", "mypassword"], /not JSON/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...base, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /error:/);
    }
    assert.equal(dev.connections(), 0, "nothing was sent");
  } finally {
    await dev.close();
  }
});

test("--json usage error is one object on stdout", async () => {
  const r = await runCli([
    "provision",
    "--service_name",
    "127.0.0.1:9",
    "--json",
    "--ssid",
    "",
    "--passphrase",
    "",
  ]);
  assert.equal(r.code, 2);
  const out = JSON.parse(r.stdout) as {
    ok: boolean;
    exitCode: number;
    error: { code: string; hint?: string };
  };
  assert.equal(out.ok, false);
  assert.equal(out.exitCode, 2);
  assert.equal(out.error.code, "WIFIPROV_USAGE");
});

test("dashed spellings of esp_prov's flags are accepted", async () => {
  const port = await closedPort();
  const r = await runCli([
    "provision",
    "--service-name",
    `127.0.0.1:${port}`,
    "--ssid",
    "myssid",
    "--passphrase",
    "mypassword",
  ]);
  assert.equal(r.code, 3, r.stderr);
});

test("unreachable device exits 3 with a hint", async () => {
  const port = await closedPort();
  const r = await runCli([
    "provision",
    "--service_name",
    `127.0.0.1:${port}`,
    "--ssid",
    "myssid",
    "--passphrase",
    "mypassword",
    "--no-input",
  ]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /cannot reach 127\.0\.0\.1/);
  assert.match(r.stderr, /hint:/);
  const v = await runCli(["version", "--service_name", `127.0.0.1:${port}`, "--json"]);
  assert.equal(v.code, 3);
  assert.equal((JSON.parse(v.stdout) as { exitCode: number }).exitCode, 3);
});

test("qr renders a payload, builds one from flags, rejects non-JSON", async () => {
  const r = await runCli(["qr", '{"ver":"v1","name":"PROV_1","pop":"abcd1234","transport":"softap"}']);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.includes("█") || r.stdout.includes("▀"));
  assert.ok(
    r.stdout.trimEnd().endsWith('{"ver":"v1","name":"PROV_1","pop":"abcd1234","transport":"softap"}'),
  );
  const b = await runCli(["qr", "--name", "PROV_2", "--username", "wifiprov", "--pop", "abcd1234", "--json"]);
  assert.equal(b.code, 0);
  assert.equal(
    (JSON.parse(b.stdout) as { payload: string }).payload,
    '{"ver":"v1","name":"PROV_2","username":"wifiprov","pop":"abcd1234","transport":"softap"}',
  );
  const bad = await runCli(["qr", "hello"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not JSON/);
});

test("sec2-gen-cred prints esp_prov's C arrays, hex or JSON", async () => {
  const c = await runCli(["sec2-gen-cred", "--username", "wifiprov", "--password", "abcd1234"]);
  assert.equal(c.code, 0);
  assert.match(
    c.stdout,
    /^static const char sec2_salt\[\] = \{\n {4}(0x[0-9a-f]{2}, ){15}0x[0-9a-f]{2}\n\};\n/,
  );
  assert.match(c.stdout, /static const char sec2_verifier\[\] = \{\n/);
  const j = await runCli([
    "sec2-gen-cred",
    "--username",
    "u",
    "--password",
    "p",
    "--salt-len",
    "8",
    "--format",
    "json",
  ]);
  const out = JSON.parse(j.stdout) as { salt: string; verifier: string };
  assert.equal(out.salt.length, 16);
  assert.ok(out.verifier.length > 700);
  const missing = await runCli(["sec2-gen-cred", "--username", "u"]);
  assert.equal(missing.code, 2);
});

test("version --help and scan --help list only the flags and exit codes that apply", async () => {
  const v = await runCli(["version", "--help"]);
  assert.equal(v.code, 0);
  for (const absent of [
    "--pop",
    "--sec_ver",
    "--sec2_username",
    "--no-input",
    "connected (or --reset",
    /^ +[4-6] /m,
  ]) {
    assert.ok(typeof absent === "string" ? !v.stdout.includes(absent) : !absent.test(v.stdout), `${absent}`);
  }
  assert.match(v.stdout, /0 {2}the device answered\n/);
  assert.match(v.stdout, /130 {2}interrupted \(Ctrl-C\)/);
  const s = await runCli(["scan", "--help"]);
  assert.match(s.stdout, /--pop/);
  assert.match(s.stdout, / {4}4 {2}handshake failed/);
  assert.doesNotMatch(s.stdout, /^ +[56] /m);
});
