import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * What every CLI of the project does alike: `--help` (and `-h`) prints the usage and exits 0;
 * an unknown flag, a missing value, an unexpected argument or a malformed number prints one
 * line naming it, then the synopsis, on stderr and exits 2. Flags are parsed strictly by Node's
 * own `util.parseArgs`.
 */
export interface CliSpec<O extends Options> {
  /** The command, as the user types it: `safety-check`, `npm run audit --`. */
  readonly name: string;
  /** The whole help text: synopsis, flags, exit codes. */
  readonly usage: string;
  readonly options: O;
  /**
   * Positional arguments accepted (their names, for the message when there are too many).
   * @default - none
   */
  readonly positionals?: readonly string[];
}

type Options = NonNullable<ParseArgsConfig['options']>;

export type CliValues<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>['values'];

/** Bad usage: exits 2 with the message and the usage. */
export class UsageError extends Error {}

/** A failure the CLI reports in one line and exits `exitCode` with (no stack trace). */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode = 2) {
    super(message);
  }
}

/** The parsed flags and positionals, or a UsageError; `help` is true when asked for. */
export function parseCli<O extends Options>(spec: CliSpec<O>, argv: readonly string[]): { values: CliValues<O>; positionals: string[]; help: boolean } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(error as NodeJS.ErrnoException));
  }
  const { help, ...values } = parsed.values;
  const allowed = spec.positionals ?? [];
  if (!help && parsed.positionals.length > allowed.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[allowed.length])}` +
      (allowed.length ? ` (it takes ${allowed.join(' ')} only)` : ': it takes flags only'));
  }
  return { values: values as CliValues<O>, positionals: parsed.positionals, help: help === true };
}

/**
 * Runs a CLI: parses the flags, answers `--help`, runs `main` and exits with its code (0 when it
 * returns nothing). UsageError and CliError end with their one-line message; anything else is
 * a bug and keeps its stack trace.
 */
export function runCli<O extends Options>(spec: CliSpec<O>, main: (values: CliValues<O>, positionals: string[]) => Promise<number | void> | number | void): void {
  const fail = (error: unknown): never => {
    if (error instanceof UsageError) {
      process.stderr.write(`${spec.name}: ${error.message}\n${spec.usage.split('\n')[0]}\n(--help lists every flag)\n`);
      process.exit(2);
    }
    if (error instanceof CliError) {
      process.stderr.write(`${spec.name}: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    throw error;
  };
  try {
    const { values, positionals, help } = parseCli(spec, process.argv.slice(2));
    if (help) {
      process.stdout.write(`${spec.usage}\n`);
      return;
    }
    Promise.resolve(main(values, positionals)).then((code) => {
      if (code) process.exitCode = code;
    }, fail);
  } catch (error) {
    fail(error);
  }
}

/** Runs `fn`; an error of one of `expected` (a missing input, a config mistake) becomes a one-line CliError. */
export function failingWith<T>(expected: readonly (abstract new (...args: never[]) => Error)[], fn: () => T, exitCode = 2): T {
  try {
    return fn();
  } catch (error) {
    if (expected.some((type) => error instanceof type)) throw new CliError((error as Error).message, exitCode);
    throw error;
  }
}

/**
 * A number flag, whole and at least `min` when asked. Only plain decimal notation is a number:
 * `Number()` would also take '', '0x1F' and ' 12 '.
 */
export function numberFlag(flag: string, value: string, options: { readonly min?: number; readonly integer?: boolean } = {}): number {
  const n = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(value) ? Number(value) : Number.NaN;
  const wanted = `${options.integer ? 'a whole number' : 'a number'}${options.min !== undefined ? ` ≥ ${options.min}` : ''}`;
  if (!Number.isFinite(n) || (options.integer && !Number.isInteger(n)) || (options.min !== undefined && n < options.min)) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not ${wanted}`);
  }
  return n;
}

function describeParseError(error: NodeJS.ErrnoException): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${quoted.split(' ')[0]} ${error.message.includes('does not take an argument') ? 'takes no value' : 'needs a value'}`;
    default:
      return error.message;
  }
}
