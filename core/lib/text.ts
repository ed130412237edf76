/**
 * Text from outside (learner input, grader output that echoes learner apps) made safe to store
 * and show: no ANSI escape sequences, no NUL or other C0 or C1 controls (tab and newline kept).
 * PostgreSQL refuses NUL in text and jsonb, and a raw ESC has no business in a page.
 * worker/sandbox/output.ts applies it to container output as it reads it.
 */
// CSI (colours, cursor movement), OSC (titles, links) up to BEL or ST, then any other escape: ESC,
// optional intermediates, one final byte (ESC ( B from `tput sgr0`, ESC 7/8 cursor save/restore, ESC c reset).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[ -/]*[0-~]/g;
// C1 (U+0080–U+009F) too: U+009B is a one-character CSI to some terminals, and none is text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function cleanText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ANSI, '').replace(/\r/g, '\n').replace(CONTROLS, '');
}

/** cleanText for optional values. */
export function cleanOptionalText<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? cleanText(text) : text) as T;
}
