/**
 * Keeps the tail of a stream of bytes under a cap, and turns it into text that is safe to
 * store and show: valid UTF-8, no NUL bytes, no ANSI escapes.
 */
import { cleanText } from '../../core/lib/text';

export class TailBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.kept += chunk.length;
    while (this.kept - this.chunks[0].length >= this.limit) {
      this.kept -= this.chunks.shift()!.length;
    }
  }

  get truncated(): boolean {
    return this.total > this.limit;
  }

  text(): string {
    let buffer = Buffer.concat(this.chunks);
    if (buffer.length > this.limit) buffer = buffer.subarray(buffer.length - this.limit);
    const body = cleanText(buffer.toString('utf8'));
    return this.truncated ? `[… ${this.total - buffer.length} earlier bytes cut …]\n${body}` : body;
  }
}

/** No ANSI escapes, no NUL or other controls: the platform's one rule for outside text. */
export const cleanOutput = cleanText;

/** The last `lines` lines of a text, for messages. */
export function lastLines(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** Lines that carry an error: kept in an excerpt wherever they fall. */
const ERROR_LINE =
  /npm (?:ERR!|error)|\berror TS\d+|\b[A-Z]\w*Error\b:|^Error:|\bERESOLVE\b|^\s*at .+\(.+:\d+:\d+\)$|^\s*at .+:\d+:\d+$|ERR_PNPM_|^error |YN0001|YN0028|\bFATAL\b/;

/**
 * The part of a failed step's output a learner needs: the first `head` and the last `tail` lines,
 * plus every line in between that carries an error (npm `ERR!`, `error TS…`, `…Error:`, the top of a
 * stack, ERESOLVE), with a marker saying how many lines were cut at each gap.
 */
export function failureExcerpt(output: string, head = 60, tail = 200): string {
  const lines = output.trimEnd().split('\n');
  if (lines.length <= head + tail) return lines.join('\n');
  const keep = new Set<number>();
  for (let i = 0; i < head; i += 1) keep.add(i);
  for (let i = lines.length - tail; i < lines.length; i += 1) keep.add(i);
  let stackLines = 0;
  for (let i = head; i < lines.length - tail; i += 1) {
    const isStackFrame = /^\s*at /.test(lines[i]);
    // Only the top of a stack: its first three frames.
    stackLines = isStackFrame ? stackLines + 1 : 0;
    if (ERROR_LINE.test(lines[i]) && (!isStackFrame || stackLines <= 3)) keep.add(i);
  }
  const excerpt: string[] = [];
  let cut = 0;
  for (let i = 0; i < lines.length; i += 1) {
    if (keep.has(i)) {
      if (cut > 0) excerpt.push(`… ${groupThousands(cut)} line${cut === 1 ? '' : 's'} cut …`);
      cut = 0;
      excerpt.push(lines[i]);
    } else cut += 1;
  }
  return excerpt.join('\n');
}

/** 1234 → "1 234", as the excerpt markers print counts. */
function groupThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}
