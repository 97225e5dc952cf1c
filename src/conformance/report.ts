/** The three outputs of a run: a terminal table, a JSON document, and JUnit XML for CI. */
import { ENDPOINT_CHECK_PREFIX, endpointFound } from "./checks-http.js";
import type { ConformanceReport, Finding } from "./run.js";

const MARK: Record<Finding["verdict"], string> = {
  pass: "pass",
  deviation: "DEVIATION",
  fail: "FAIL",
  skipped: "skipped",
  "not-run": "not run",
};

export function summary(report: ConformanceReport): Record<Finding["verdict"], number> {
  const counts = { pass: 0, deviation: 0, fail: 0, skipped: 0, "not-run": 0 };
  for (const f of report.findings) counts[f.verdict]++;
  return counts;
}

/** One line per check; every deviation or failure also gets what the release does and why it matters. */
export function formatTable(report: ConformanceReport): string {
  const width = Math.max(...report.findings.map((f) => f.id.length), 5);
  const lines = [
    `Device ${report.serviceName}: ${report.version.format === "json" ? report.version.raw : JSON.stringify(report.version.raw)}`,
    `Compared with ${report.profile}, security ${report.securityVersion}`,
    "",
    `${"check".padEnd(width)}  ${"result".padEnd(9)}  what the device did`,
  ];
  for (const f of report.findings) {
    lines.push(`${f.id.padEnd(width)}  ${MARK[f.verdict].padEnd(9)}  ${f.did}`);
    if (f.verdict === "fail" || f.verdict === "deviation") {
      lines.push(`${"".padEnd(width)}  ${"".padEnd(9)}  release: ${f.release}`);
      lines.push(`${"".padEnd(width)}  ${"".padEnd(9)}  matters: ${f.why}`);
    }
  }
  const endpoints = probedEndpoints(report);
  if (endpoints.length > 0) {
    lines.push("", `Custom endpoints: ${endpoints.map((e) => `${e.name} ${e.found}`).join(", ")}`);
  }
  const c = summary(report);
  lines.push(
    "",
    `${c.pass} pass, ${c.deviation} deviation, ${c.fail} fail, ${c.skipped} skipped, ${c["not-run"]} not run` +
      (report.stoppedAfter ? ` (the device stopped answering after ${report.stoppedAfter})` : ""),
  );
  return `${lines.join("\n")}\n`;
}

function probedEndpoints(report: ConformanceReport) {
  return report.findings.filter((f) => f.id.startsWith(ENDPOINT_CHECK_PREFIX)).map(endpointFound);
}

export function toJson(report: ConformanceReport): object {
  const endpoints = probedEndpoints(report);
  return {
    serviceName: report.serviceName,
    profile: report.profile,
    protoVer: report.version.raw,
    securityVersion: report.securityVersion,
    summary: summary(report),
    ...(report.stoppedAfter ? { stoppedAfter: report.stoppedAfter } : {}),
    ...(endpoints.length > 0 ? { endpoints } : {}),
    findings: report.findings,
  };
}

const xml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

/** JUnit XML: fail → <failure>, not run / skipped → <skipped>, deviation → passes with a system-out note. */
export function toJunit(report: ConformanceReport): string {
  const c = summary(report);
  const cases = report.findings.map((f) => {
    const name = `name="${xml(f.id)}" classname="wifiprov.conformance"`;
    const detail = xml(`${f.did}\nrelease: ${f.release}\nmatters: ${f.why}`);
    switch (f.verdict) {
      case "fail":
        return `    <testcase ${name}><failure message="${xml(f.did)}">${detail}</failure></testcase>`;
      case "skipped":
      case "not-run":
        return `    <testcase ${name}><skipped message="${xml(f.did)}"/></testcase>`;
      case "deviation":
        return `    <testcase ${name}><system-out>DEVIATION: ${detail}</system-out></testcase>`;
      case "pass":
        return `    <testcase ${name}/>`;
    }
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites>`,
    `  <testsuite name="${xml(`wifiprov conformance ${report.serviceName} (${report.profile})`)}" tests="${report.findings.length}" failures="${c.fail}" skipped="${c.skipped + c["not-run"]}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
