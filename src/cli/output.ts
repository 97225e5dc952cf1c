/**
 * Progress and messages for the client commands. Everything human goes to stderr so stdout stays clean for
 * `--json` (one result object) and for piping `wifiprov qr` / `sec2-gen-cred` output.
 *
 * The spinner is our own few lines, not @clack/prompts' spinner: that one puts stdin in raw mode and calls
 * process.exit(0) on Ctrl-C, so an interrupted run looked successful to `wifiprov provision … && next`.
 * Ours leaves stdin alone, so Ctrl-C stays a SIGINT that the command turns into exit 130.
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

const FRAMES = ["◒", "◐", "◓", "◑"];
const FRAME_MS = 80;

/**
 * Streams whose reader went away (EPIPE): later writes to them are dropped instead of killing the run
 * halfway (`wifiprov provision --json … | head -1`). The command says so on the stream that is left.
 */
const closedStreams = new Set<NodeJS.WritableStream>();

function watch(stream: NodeJS.WriteStream): void {
  if ((stream as { wifiprovWatched?: boolean }).wifiprovWatched) return;
  (stream as { wifiprovWatched?: boolean }).wifiprovWatched = true;
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") closedStreams.add(stream);
    else throw err;
  });
}

/** Watches stdout and stderr for a reader that went away. Call once at start-up. */
export function guardStandardStreams(): void {
  watch(process.stdout);
  watch(process.stderr);
}

const pending = new Set<Promise<void>>();

/** Writes unless the reader went away. */
export function safeWrite(stream: NodeJS.WriteStream, text: string): void {
  if (closedStreams.has(stream) || stream.destroyed) return;
  const written = new Promise<void>((resolve) => {
    stream.write(text, (err) => {
      if (err) closedStreams.add(stream);
      resolve();
    });
  });
  pending.add(written);
  void written.then(() => pending.delete(written));
}

/** Resolves when every write so far has left or failed (an EPIPE shows only then). */
export async function settleWrites(): Promise<void> {
  await Promise.all([...pending]);
}

/** Which standard streams lost their reader during the run. */
export function closedStandardStreams(): { stdout: boolean; stderr: boolean } {
  return { stdout: closedStreams.has(process.stdout), stderr: closedStreams.has(process.stderr) };
}

class Spinner {
  #text = "";
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;
  constructor(private readonly out: NodeJS.WriteStream) {}
  start(text: string): void {
    this.#text = text;
    this.#draw();
    this.#timer = setInterval(() => this.#draw(), FRAME_MS);
    this.#timer.unref();
  }
  message(text: string): void {
    this.#text = text;
    this.#draw();
  }
  stop(line: string): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    safeWrite(this.out, `\r\x1b[2K${line}\n`);
  }
  #draw(): void {
    this.#frame = (this.#frame + 1) % FRAMES.length;
    safeWrite(this.out, `\r\x1b[2K${pc.magenta(FRAMES[this.#frame]!)} ${this.#text}`);
  }
}

export class Reporter {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly #out: NodeJS.WriteStream;
  readonly #interactive: boolean;
  #spin: Spinner | undefined;
  #current: string | undefined;
  #lastUpdate: string | undefined;

  constructor(o: ReporterOptions) {
    this.json = o.json;
    this.verbose = o.verbose;
    this.#out = o.stream ?? process.stderr;
    this.#interactive = o.interactive ?? (Boolean(this.#out.isTTY) && !o.json && !process.env.CI);
  }

  /** Starts a step that takes time: a spinner on a terminal, one line otherwise. */
  start(text: string): void {
    this.#finishSilently();
    this.#current = text;
    this.#lastUpdate = undefined;
    if (this.#interactive) {
      this.#spin = new Spinner(this.#out);
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
    this.#end(`${pc.green("✔")} ${text ?? this.#current ?? ""}`);
  }

  fail(text?: string): void {
    this.#end(`${pc.red("✖")} ${text ?? this.#current ?? ""}`);
  }

  #end(line: string): void {
    if (this.#spin) this.#spin.stop(line);
    else this.#line(line);
    this.#spin = undefined;
    this.#current = undefined;
  }

  /** Ends a running spinner (Ctrl-C, an error): its line is rewritten so the terminal is left clean. */
  interrupt(text: string): void {
    if (this.#current !== undefined) this.fail(`${this.#current} (${text})`);
  }

  #finishSilently(): void {
    if (this.#spin) this.#spin.stop(`${pc.green("✔")} ${this.#current ?? ""}`);
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
    safeWrite(this.#out, `${text}\n`);
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
  safeWrite(
    process.stdout,
    `${JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v), 2)}\n`,
  );
}
