/**
 * Text from outside (learner input, grader output that echoes learner apps) made safe to store
 * and show: no ANSI escape sequences, no NUL or other C0 controls (tab and newline kept).
 * PostgreSQL refuses NUL in text and jsonb, and a raw ESC has no business in a page.
 * worker/sandbox/output.ts applies it to container output as it reads it.
 */
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

export function cleanText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ANSI, '').replace(/\r/g, '\n').replace(CONTROLS, '');
}

/** cleanText for optional values. */
export function cleanOptionalText<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? cleanText(text) : text) as T;
}
