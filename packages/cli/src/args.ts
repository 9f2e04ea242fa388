// Argument parsing for the CLI: `--key value`, `--key=value`, boolean switches, and any config
// key as a dotted flag (`--client.maxPayloadBytes=8192`).

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  command: string | undefined;
  positional: string[];
  /** Flags by name (without dashes); switches hold "true". */
  flags: Map<string, string>;
}

export function parseArgs(argv: string[], switches: ReadonlySet<string>): ParsedArgs {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      if (name === '') throw new UsageError(`bad option "${a}"`);
      if (eq !== -1) flags.set(name, a.slice(eq + 1));
      else if (switches.has(name)) flags.set(name, 'true');
      else {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) throw new UsageError(`option --${name} needs a value`);
        flags.set(name, v);
        i++;
      }
    } else if (a === '-h') {
      flags.set('help', 'true');
    } else {
      positional.push(a);
    }
  }
  return { command: positional.shift(), positional, flags };
}
