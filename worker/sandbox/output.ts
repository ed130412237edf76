/**
 * Keeps the tail of a stream of bytes under a cap, and turns it into text that is safe to
 * store and show: valid UTF-8, no NUL bytes, no ANSI escapes.
 */
import { cleanText } from '../../server/lib/text';

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
