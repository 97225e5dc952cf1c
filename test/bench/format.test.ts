// `npm run bench` prints a row it could not measure as "skipped", never as a figure of 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatRow } from "../../bench/format.js";

test("a skipped row reads 'skipped' with its reason; a measured row its figure", () => {
  assert.equal(
    formatRow(
      { name: "esp_prov.py provision", skipped: true, unit: "ms", note: "set ESP_PROV_IDF_PATH" },
      22,
    ),
    "esp_prov.py provision            skipped  (set ESP_PROV_IDF_PATH)",
  );
  assert.equal(formatRow({ name: "handshake", value: 0.25, unit: "ms" }, 10), "handshake          0.2500 ms");
});
