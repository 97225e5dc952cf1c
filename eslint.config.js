// Lint setup: typescript-eslint's recommended rules on top of ESLint's, for every TypeScript file, plus the
// architecture's two rules (DESIGN.md): each layer imports only the layers above it, and the code that goes
// into the browser bundle imports no Node module.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** The layers under src/, in order: each may import only the ones before it. */
const LAYERS = [
  "proto",
  "crypto",
  "security",
  "protocomm",
  "transport",
  "wifi",
  "device",
  "client",
  "join",
  "fleet",
  "conformance",
  "cli",
];
/**
 * Pairs the order alone would allow but the design forbids: the client knows nothing of the device side, and
 * neither do the fleet runner and the conformance checks (a client that judges devices must not borrow the
 * implementation it judges).
 */
const ALSO_FORBIDDEN = {
  client: ["wifi", "device"],
  join: ["wifi", "device", "client"],
  fleet: ["wifi", "device"],
  conformance: ["wifi", "device", "join", "fleet"],
};
/** The package's entry points compose the layers; no layer imports them. */
const ENTRIES = ["index", "browser", "device-entry"];

const NODE_MODULES = {
  group: ["node:*"],
  message: "this module is in the browser bundle: no Node modules (put Node code behind a port)",
};
/** Layers whose every file goes into the browser bundle (src/browser.ts → client core → security → crypto). */
const BROWSER_SAFE_LAYERS = new Set(["proto", "crypto", "security", "protocomm", "client"]);
/** Browser-safe files of other layers, and Node-only files of browser-safe ones. */
const BROWSER_SAFE_FILES = {
  transport: ["types.ts", "fetch-client-transport.ts", "http-status.ts", "host-port.ts"],
};
const NODE_ONLY_FILES = { crypto: ["node-crypto-port.ts", "power-pool.ts"] };

/**
 * src/networkmanager (the NetworkManager D-Bus door shared by the device's radio and the laptop's join) is a
 * shared module like errors/clock, but it speaks D-Bus over a socket: the layers below the radio and the
 * browser-bundled client must not reach it.
 */
const NETWORKMANAGER_FORBIDDEN = new Set(["proto", "crypto", "security", "protocomm", "transport", "client"]);

function layerPatterns(layer, forbidden) {
  return [
    ...(NETWORKMANAGER_FORBIDDEN.has(layer)
      ? [
          {
            group: ["../networkmanager/*", "../../networkmanager/*"],
            message: `src/${layer} must not import src/networkmanager: NetworkManager (D-Bus) is for the radio, join, fleet and CLI only`,
          },
        ]
      : []),
    ...forbidden.map((other) => ({
      group: [`../${other}/*`, `../../${other}/*`, `../../${other}/**`],
      message: `src/${layer} must not import src/${other}: each layer knows only the layers above it (DESIGN.md)`,
    })),
    // The CLI is a composition root like the entry points, so it may use them.
    ...(layer === "cli"
      ? []
      : [
          {
            group: ENTRIES.flatMap((entry) => [`../${entry}.js`, `../../${entry}.js`]),
            message: "layers do not import the package's entry points; import the module itself",
          },
        ]),
  ];
}

const restrict = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { "no-restricted-imports": ["error", { patterns }] },
});

// ESLint does not merge the options of one rule across config blocks (the last block wins), so each block
// carries every pattern that applies to its files.
const layerRules = LAYERS.flatMap((layer, i) => {
  const patterns = layerPatterns(layer, [...LAYERS.slice(i + 1), ...(ALSO_FORBIDDEN[layer] ?? [])]);
  const all = `src/${layer}/**/*.ts`;
  const nodeOnly = (NODE_ONLY_FILES[layer] ?? []).map((f) => `src/${layer}/${f}`);
  const safe = (BROWSER_SAFE_FILES[layer] ?? []).map((f) => `src/${layer}/${f}`);
  if (BROWSER_SAFE_LAYERS.has(layer)) {
    return [
      restrict([all], [...patterns, NODE_MODULES], nodeOnly),
      ...(nodeOnly.length > 0 ? [restrict(nodeOnly, patterns)] : []),
    ];
  }
  return [
    restrict([all], patterns),
    ...(safe.length > 0 ? [restrict(safe, [...patterns, NODE_MODULES])] : []),
  ];
});

/**
 * Shared top-level modules (errors, logger, clock, networkmanager/) sit above every layer; most are in the bundle
 * too (not networkmanager/).
 */
const sharedPatterns = [
  { group: LAYERS.map((l) => `./${l}/*`), message: "shared modules import no layer" },
  { group: ENTRIES.map((e) => `./${e}.js`), message: "shared modules import no entry point" },
];
const sharedRules = [
  restrict(["src/default-logger-node.ts"], sharedPatterns),
  restrict(
    ["src/errors.ts", "src/logger.ts", "src/clock.ts", "src/default-logger-browser.ts"],
    [...sharedPatterns, NODE_MODULES],
  ),
  restrict(["src/browser.ts"], [NODE_MODULES]),
  restrict(
    ["src/networkmanager/**/*.ts"],
    [
      { group: LAYERS.map((l) => `../${l}/*`), message: "shared modules import no layer" },
      { group: ENTRIES.map((e) => `../${e}.js`), message: "shared modules import no entry point" },
    ],
  ),
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "src/proto/gen/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-throw-literal": "error",
    },
  },
  ...layerRules,
  ...sharedRules,
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
