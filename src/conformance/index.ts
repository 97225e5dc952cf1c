/** `wifiprov conformance`: check a provisioning device against the ESP-IDF release it claims to be. */
export { runConformance, hasFailures, CHECK_IDS } from "./run.js";
export type { ConformanceOptions, ConformanceReport, Finding } from "./run.js";
export type { Verdict } from "./checks.js";
export { formatTable, toJson, toJunit, summary } from "./report.js";
export { PROFILE_NAMES, parseProfile, profileExpectations } from "./expectations.js";
export type { ProfileName } from "./expectations.js";
