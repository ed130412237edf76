/**
 * A small Dockerfile reader: enough of the format to answer the brief's six rules honestly.
 * Handles comments, line continuations (the default `\` escape, or the one a `# escape=` parser
 * directive sets), `FROM [--platform=…] image [AS name]`, stages, global ARG defaults in FROM, and
 * exec-form (JSON array) versus shell-form CMD/ENTRYPOINT. Heredocs are not interpreted (the
 * checked instructions never use them).
 */

export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, COPY, USER, ENV, CMD… */
  keyword: string;
  /** Everything after the keyword, continuations joined. */
  args: string;
  /** 1-based line where the instruction starts, for feedback. */
  line: number;
}

export interface Stage {
  index: number;
  /** The image or earlier stage this stage starts from, global ARGs substituted. */
  base: string;
  /** `AS name`, lower-cased as Docker treats it, or null. */
  name: string | null;
  from: Instruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Instructions before the first FROM (ARGs). */
  preamble: Instruction[];
  stages: Stage[];
}

export function parseInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives: only at the very top, before any instruction, comment or blank line.
  for (const line of lines) {
    const directive = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(line);
    if (!directive) break;
    if (directive[1].toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2];
  }
  const instructions: Instruction[] = [];
  let current: { parts: string[]; line: number } | null = null;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    // Comment lines are dropped, also in the middle of a continued instruction (Docker does the same).
    if (trimmed.startsWith('#')) return;
    if (!current && !trimmed) return;
    const continued = trimmed.endsWith(escape);
    const part = continued ? trimmed.slice(0, -1) : trimmed;
    if (!current) current = { parts: [part], line: i + 1 };
    else current.parts.push(part);
    if (!continued) {
      finish(current);
      current = null;
    }
  });
  if (current) finish(current);
  return instructions;

  function finish(pending: { parts: string[]; line: number }) {
    const joined = pending.parts.join(' ').trim();
    const match = /^(\S+)\s*([\s\S]*)$/.exec(joined);
    if (match) instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: pending.line });
  }
}

/** `${NAME}`, `${NAME:-default}` and `$NAME` replaced with the global ARG defaults. */
function substitute(value: string, args: Map<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced, fallback, bare) => {
    const name = (braced ?? bare) as string;
    return args.get(name) ?? (fallback as string | undefined) ?? whole;
  });
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions = parseInstructions(text);
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asIndex = words.findIndex((w) => w.toLowerCase() === 'as');
      stages.push({
        index: stages.length,
        base: substitute(words[0] ?? '', globalArgs),
        name: asIndex > 0 && words[asIndex + 1] ? words[asIndex + 1].toLowerCase() : null,
        from: instruction,
        instructions: [],
      });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(instruction);
    } else {
      preamble.push(instruction);
      if (instruction.keyword === 'ARG') {
        const arg = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(instruction.args);
        if (arg && arg[2] !== undefined) globalArgs.set(arg[1], arg[2].replace(/^["']|["']$/g, ''));
      }
    }
  }
  return { preamble, stages };
}

/** The stage an image reference names (by `AS` name or index), when it is an earlier stage. */
export function earlierStage(file: Dockerfile, ref: string, before: number): Stage | undefined {
  const lower = ref.toLowerCase();
  return file.stages.find((s) => s.index < before && (s.name === lower || String(s.index) === ref));
}

/**
 * The instructions in effect in a stage: those of the stages it is built on (`FROM build`), then
 * its own. USER and ENV are inherited that way.
 */
export function effectiveInstructions(file: Dockerfile, stage: Stage): Instruction[] {
  const parent = earlierStage(file, stage.base, stage.index);
  return parent ? [...effectiveInstructions(file, parent), ...stage.instructions] : stage.instructions;
}

/** The JSON array of an exec-form CMD/ENTRYPOINT/RUN, or null for the shell form. */
export function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  try {
    const value = JSON.parse(args) as unknown;
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? value : null;
  } catch {
    return null;
  }
}

/** ENV's pairs: `ENV A=1 B="two words"` and the legacy `ENV A value`. */
export function envPairs(args: string): Array<[string, string]> {
  const tokens = args.match(/(?:[^\s"']+|"(?:\\.|[^"\\])*"|'[^']*')+/g) ?? [];
  const first = tokens[0];
  if (first !== undefined && !first.includes('=')) return [[first, unquote(args.slice(first.length).trim())]];
  return tokens.map((token) => {
    const eq = token.indexOf('=');
    return [token.slice(0, eq), unquote(token.slice(eq + 1))] as [string, string];
  });
}

function unquote(value: string): string {
  if (/^".*"$/s.test(value)) return value.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^'.*'$/s.test(value)) return value.slice(1, -1);
  return value;
}

/**
 * The tag or digest of an image reference, or null: the tag is what follows the last `:` after
 * the last `/` (a registry's port, `registry:5000/node`, is not a tag).
 */
export function imagePin(ref: string): { tag: string | null; digest: string | null } {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : null;
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return { tag: colon >= 0 ? name.slice(colon + 1) : null, digest };
}
