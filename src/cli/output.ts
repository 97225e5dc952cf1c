/**
 * Progress and messages for the client commands. Everything human goes to stderr so stdout stays clean for
 * `--json` (one result object) and for piping `wifiprov qr` / `sec2-gen-cred` output.
 */
import pc from "picocolors";
import type { Logger } from "../logger.js";

export interface ReporterOptions {
  json: boolean;
  verbose: boolean;
  /** Spinners only on an interactive stderr. */
  interactive?: boolean;
  stream?: NodeJS.WriteStream;
}

interface Spin {
  start(msg?: string): void;
  stop(msg?: string): void;
  error(msg?: string): void;
  message(msg?: string): void;
}

export class Reporter {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly #out: NodeJS.WriteStream;
  readonly #interactive: boolean;
  #spin: Spin | undefined;
  #current: string | undefined;
  #lastUpdate: string | undefined;

  constructor(o: ReporterOptions) {
    this.json = o.json;
    this.verbose = o.verbose;
    this.#out = o.stream ?? process.stderr;
    this.#interactive = o.interactive ?? (Boolean(this.#out.isTTY) && !o.json && !process.env.CI);
  }

  /** Starts a step that takes time: a spinner on a terminal, one line otherwise. */
  async start(text: string): Promise<void> {
    this.#finishSilently();
    this.#current = text;
    this.#lastUpdate = undefined;
    if (this.#interactive) {
      const { spinner } = await import("@clack/prompts");
      this.#spin = spinner({ output: this.#out, withGuide: false });
      this.#spin.start(text);
    } else {
      this.#line(pc.dim(`… ${text}`));
    }
  }

  /** Progress within a step. Without a spinner only changes are printed, so polling does not flood the log. */
  update(text: string): void {
    if (this.#spin) this.#spin.message(text);
    else if (text !== this.#lastUpdate) this.#line(pc.dim(`  ${text}`));
    this.#lastUpdate = text;
  }

  done(text?: string): void {
    const msg = text ?? this.#current ?? "";
    if (this.#spin) this.#spin.stop(msg);
    else this.#line(`${pc.green("✔")} ${msg}`);
    this.#spin = undefined;
    this.#current = undefined;
  }

  fail(text?: string): void {
    const msg = text ?? this.#current ?? "";
    if (this.#spin) this.#spin.error(msg);
    else this.#line(`${pc.red("✖")} ${msg}`);
    this.#spin = undefined;
    this.#current = undefined;
  }

  #finishSilently(): void {
    if (this.#spin) this.#spin.stop(this.#current ?? "");
    this.#spin = undefined;
  }

  info(text: string): void {
    this.#finishSilently();
    this.#line(text);
  }

  warn(text: string): void {
    this.#line(`${pc.yellow("!")} ${text}`);
  }

  debug(text: string): void {
    if (this.verbose) this.#line(pc.dim(text));
  }

  /** An error with what to do next. */
  error(message: string, hint?: string): void {
    if (this.#current) this.fail();
    this.#line(`${pc.red("error:")} ${message}`);
    if (hint) this.#line(`${pc.cyan("hint:")} ${hint}`);
  }

  #line(text: string): void {
    this.#out.write(`${text}\n`);
  }

  /** A library logger that prints through this reporter with -v, silent otherwise. */
  logger(): Logger {
    const print = (level: string) => (m: string, f?: Record<string, unknown>) =>
      this.debug(`[${level}] ${m}${f ? ` ${JSON.stringify(f)}` : ""}`);
    return { debug: print("debug"), info: print("info"), warn: print("warn"), error: print("error") };
  }
}

/** Writes the one --json result object. */
export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v), 2)}\n`,
  );
}
