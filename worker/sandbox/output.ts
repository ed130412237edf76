/**
 * Keeps the tail of a stream of bytes under a cap, and turns it into text that is safe to
 * store and show: valid UTF-8, no NUL bytes, no ANSI escapes.
 */
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
    const body = cleanOutput(buffer.toString('utf8'));
    return this.truncated ? `[… ${this.total - buffer.length} earlier bytes cut …]\n${body}` : body;
  }
}

// CSI/OSC escape sequences and other C0 controls except tab and newline.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

export function cleanOutput(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ANSI, '').replace(/\r/g, '\n').replace(CONTROLS, '');
}

/** The last `lines` lines of a text, for messages. */
export function lastLines(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}
