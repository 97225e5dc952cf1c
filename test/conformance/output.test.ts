/**
 * The machine-readable outputs of `wifiprov conformance`: `--json` has a fixed shape whose summary counts the
 * findings, and `--junit FILE` is well-formed XML whose testsuite counts match its testcases (fail →
 * <failure>, skipped and not run → <skipped>). Checked on a report with every verdict and every character
 * XML must escape, and end to end through the CLI against a virtual device.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { summary, toJson, toJunit } from "../../src/conformance/index.js";
import type { ConformanceReport, Finding, Verdict } from "../../src/conformance/index.js";
import { parseDeviceVersion } from "../../src/client/version.js";
import { startVirtualDevice } from "../../src/device/virtual-device.js";
import { silentLogger } from "../../src/logger.js";
import { runCli } from "../cli/run-cli.js";

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decodeText(raw: string, where: string): string {
  assert.doesNotMatch(raw.replace(ENTITY, ""), /[<&]/, `unescaped < or & in ${where}`);
  return raw
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/**
 * A strict little XML reader, enough for JUnit: one declaration, elements with quoted attributes, text with
 * the predefined entities. Throws (an assertion) on anything not well-formed.
 */
function parseXml(xml: string): XmlElement {
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/, "");
  assert.notEqual(rest, xml, "no XML declaration");
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const stack = [root];
  while (rest.length > 0) {
    const lt = rest.indexOf("<");
    const top = stack[stack.length - 1]!;
    if (lt !== 0) {
      const text = lt === -1 ? rest : rest.slice(0, lt);
      top.text += decodeText(text, `<${top.name}>`);
      assert.ok(stack.length > 1 || text.trim() === "", "text outside the root element");
      rest = lt === -1 ? "" : rest.slice(lt);
      continue;
    }
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(rest);
    if (close) {
      assert.equal(close[1], top.name, `</${close[1]}> closes <${top.name}>`);
      stack.pop();
      rest = rest.slice(close[0].length);
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/.exec(rest);
    assert.ok(open, `malformed tag at ${JSON.stringify(rest.slice(0, 40))}`);
    const attributes: Record<string, string> = {};
    for (const m of open[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      assert.ok(!(m[1]! in attributes), `duplicate attribute ${m[1]}`);
      attributes[m[1]!] = decodeText(m[2]!, `attribute ${m[1]}`);
    }
    const element: XmlElement = { name: open[1]!, attributes, children: [], text: "" };
    assert.ok(stack.length > 1 || root.children.length === 0, "more than one root element");
    top.children.push(element);
    if (open[3] !== "/") stack.push(element);
    rest = rest.slice(open[0].length);
  }
  assert.equal(stack.length, 1, `unclosed <${stack[stack.length - 1]!.name}>`);
  assert.equal(root.children.length, 1, "no root element");
  return root.children[0]!;
}

/** The JUnit counts must agree with the testcases: what CI tools read. */
function assertJunitMatches(xml: string, findings: readonly Finding[]): void {
  const doc = parseXml(xml);
  assert.equal(doc.name, "testsuites");
  assert.equal(doc.children.length, 1);
  const suite = doc.children[0]!;
  assert.equal(suite.name, "testsuite");
  const cases = suite.children;
  assert.ok(cases.every((c) => c.name === "testcase"));
  const count = (v: Verdict) => findings.filter((f) => f.verdict === v).length;
  const withChild = (child: string) => cases.filter((c) => c.children.some((x) => x.name === child)).length;
  assert.equal(Number(suite.attributes.tests), cases.length);
  assert.equal(cases.length, findings.length);
  assert.equal(Number(suite.attributes.failures), withChild("failure"));
  assert.equal(Number(suite.attributes.failures), count("fail"));
  assert.equal(Number(suite.attributes.skipped), withChild("skipped"));
  assert.equal(Number(suite.attributes.skipped), count("skipped") + count("not-run"));
  assert.deepEqual(
    cases.map((c) => c.attributes.name),
    findings.map((f) => f.id),
  );
  for (const [i, c] of cases.entries()) {
    const f = findings[i]!;
    assert.equal(c.attributes.classname, "wifiprov.conformance");
    if (f.verdict === "fail") {
      const failure = c.children.find((x) => x.name === "failure")!;
      assert.equal(failure.attributes.message, f.did);
      assert.ok(failure.text.includes(f.release) && failure.text.includes(f.why));
    }
  }
}

/** --json: the document a CI script reads. */
function assertJsonShape(doc: Record<string, unknown>, findingCount?: number): void {
  assert.deepEqual(Object.keys(doc.summary as object).sort(), [
    "deviation",
    "fail",
    "not-run",
    "pass",
    "skipped",
  ]);
  assert.equal(typeof doc.serviceName, "string");
  assert.equal(typeof doc.profile, "string");
  assert.equal(typeof doc.protoVer, "string");
  assert.ok([0, 1, 2].includes(doc.securityVersion as number));
  const findings = doc.findings as Array<Record<string, unknown>>;
  assert.ok(Array.isArray(findings));
  if (findingCount !== undefined) assert.equal(findings.length, findingCount);
  for (const f of findings) {
    assert.deepEqual(Object.keys(f).sort(), ["did", "id", "release", "title", "verdict", "why"]);
    for (const key of Object.keys(f)) assert.equal(typeof f[key], "string", key);
  }
  const counts = doc.summary as Record<string, number>;
  for (const verdict of Object.keys(counts)) {
    assert.equal(counts[verdict], findings.filter((f) => f.verdict === verdict).length, verdict);
  }
}

describe("report outputs on a report with every verdict", () => {
  it("the XML reader used here refuses what is not well-formed", () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    parseXml(`${head}<a x="1"><b/>text &amp; more</a>`);
    for (const bad of [
      "<a><b></a>",
      "<a>1 < 2</a>",
      '<a x="1" x="2"/>',
      "<a>&nbsp;</a>",
      "<a/><b/>",
      "<a>",
    ]) {
      assert.throws(() => parseXml(head + bad), bad);
    }
  });

  const verdicts: Verdict[] = ["pass", "deviation", "fail", "skipped", "not-run", "fail"];
  const findings: Finding[] = verdicts.map((verdict, i) => ({
    id: `check.${i}`,
    title: `title <${i}> & "quoted"`,
    verdict,
    did: `did ${verdict}: <reply> & "more" 'single' ]]>`,
    release: `release <a & b>`,
    why: `why "it" matters & <breaks>`,
  }));
  const report: ConformanceReport = {
    serviceName: "127.0.0.1:1 & <x>",
    profile: 'auto ("quoted")',
    version: parseDeviceVersion(new TextEncoder().encode('{"prov":{"ver":"v1.1","sec_ver":2,"cap":[]}}')),
    securityVersion: 2,
    findings,
    stoppedAfter: "check.3",
  };

  it("JUnit: well-formed, escaped, counts match the testcases", () => {
    const xml = toJunit(report);
    assertJunitMatches(xml, findings);
    const suite = parseXml(xml).children[0]!;
    assert.equal(suite.attributes.name, 'wifiprov conformance 127.0.0.1:1 & <x> (auto ("quoted"))');
    const deviation = suite.children[1]!;
    assert.match(deviation.children[0]!.text, /^DEVIATION: did deviation: <reply> & "more"/);
  });

  it("JSON: the fixed shape, summary counting the findings", () => {
    const doc = JSON.parse(JSON.stringify(toJson(report))) as Record<string, unknown>;
    assertJsonShape(doc, findings.length);
    assert.equal(doc.stoppedAfter, "check.3");
    assert.deepEqual(doc.summary, summary(report));
    assert.deepEqual(doc.summary, { pass: 1, deviation: 1, fail: 2, skipped: 1, "not-run": 1 });
  });
});

describe("wifiprov conformance --json --junit FILE, end to end", () => {
  it("against a v4.0 virtual device with an absent --endpoint: exit 1, JSON and JUnit agree", async () => {
    const device = await startVirtualDevice({
      listen: { host: "127.0.0.1", port: 0 },
      compat: "idf-v4.0",
      security: { version: 1, pop: "abcd1234" },
      timeScale: 0.01,
      logger: silentLogger,
    });
    const dir = await mkdtemp(join(tmpdir(), "wifiprov-conformance-"));
    try {
      const junit = join(dir, "report.xml");
      const result = await runCli(
        [
          "conformance",
          "--service_name",
          device.serviceName,
          "--pop",
          "abcd1234",
          "--endpoint",
          "no-such-endpoint",
          "--json",
          "--junit",
          junit,
        ],
        { timeoutMs: 120_000 },
      );
      assert.equal(result.code, 1, result.stderr);
      const doc = JSON.parse(result.stdout) as Record<string, unknown>;
      assert.equal(doc.ok, false);
      assert.equal(doc.exitCode, 1);
      assert.equal(doc.serviceName, device.serviceName);
      assertJsonShape(doc);
      const findings = doc.findings as Finding[];
      // v4.0 has no scan, no ctrl and no cookies: skipped checks next to passes, and the absent endpoint fails.
      const summaryCounts = doc.summary as Record<string, number>;
      assert.ok(summaryCounts.pass! > 0 && summaryCounts.skipped! > 0);
      assert.deepEqual(
        findings.filter((f) => f.verdict === "fail").map((f) => f.id),
        ["endpoint.no-such-endpoint"],
      );
      assert.deepEqual(doc.endpoints, [{ name: "no-such-endpoint", found: "absent" }]);
      assertJunitMatches(await readFile(junit, "utf8"), findings);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await device.close();
    }
  });
});
