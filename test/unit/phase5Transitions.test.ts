/**
 * The Phase 5 grader derives its state-machine cases from a copy of the brief's transition table
 * (graders/phase-5-orders/support/transitions.ts: the tester container does not see exercises/).
 * This test parses the brief's markdown table and fails when the copy differs, so a row added to
 * the brief cannot go ungraded.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ORDER_STATUSES,
  REQUESTS,
  TERMINAL,
  TRANSITION_TABLE,
  WORKER,
  allowedCases,
  forbiddenCases,
  pathTo,
} from '../../graders/phase-5-orders/support/transitions';

const BRIEF = path.join(__dirname, '..', '..', 'exercises', 'phase-5-orders', 'README.md');

interface ParsedRow {
  from: string[];
  request: string;
  to: string[];
}

/** The statuses named in a cell: every `UPPER_CASE` word in backticks. */
const statusesIn = (cell: string): string[] => [...cell.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]);

function parseBrief(markdown: string): { rows: ParsedRow[]; terminal: string[] } {
  const section = /^### The order state machine\n([\s\S]*?)(?=^### )/m.exec(markdown)?.[1];
  if (!section) throw new Error('the brief has no "### The order state machine" section');
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const header = lines[0]?.split('|').map((cell) => cell.trim().toLowerCase());
  expect(header).toEqual(['', 'from', 'request', 'to', '']);
  const rows = lines.slice(2).map((line) => {
    const [, from, request, to] = line.split('|').map((cell) => cell.trim());
    return {
      from: statusesIn(from),
      request: request.replace(/`/g, ''),
      to: statusesIn(to),
    };
  });
  const terminalSentence = /\*\*(.*) are terminal\.\*\*/.exec(section)?.[1];
  if (!terminalSentence) throw new Error('the brief no longer says which statuses are terminal ("**… are terminal.**")');
  return { rows, terminal: statusesIn(terminalSentence) };
}

describe('phase 5 transition table', () => {
  const brief = parseBrief(fs.readFileSync(BRIEF, 'utf8'));

  test("When the brief's table is parsed, then the grader's copy has the same rows in the same order", () => {
    expect(TRANSITION_TABLE.map((row) => ({ from: [...row.from], request: row.request, to: [...row.to] }))).toEqual(brief.rows);
  });

  test('When the brief names terminal statuses, then the grader has the same ones', () => {
    expect([...TERMINAL]).toEqual(brief.terminal);
  });

  test('When the table names a status or request, then the grader knows it (and nothing else)', () => {
    const statuses = new Set(brief.rows.flatMap((row) => [...row.from, ...row.to]));
    expect([...statuses].sort()).toEqual([...ORDER_STATUSES].sort());
    const requests = new Set(brief.rows.map((row) => row.request).filter((request) => request !== WORKER));
    expect([...requests].sort()).toEqual([...REQUESTS].sort());
  });

  test('When the cases are derived, then each (status, request) pair is allowed or forbidden, never both', () => {
    const allowed = allowedCases().map((c) => `${c.from} ${c.request}`);
    const forbidden = forbiddenCases().map((c) => `${c.from} ${c.request}`);
    expect(allowed.length + forbidden.length).toBe(ORDER_STATUSES.length * REQUESTS.length);
    expect(allowed.filter((pair) => forbidden.includes(pair))).toEqual([]);
    // The cases issue 11 found missing are there.
    expect(forbidden).toEqual(expect.arrayContaining(['FAILED POST /payments', 'PENDING_PAYMENT POST /orders/:id/cancel']));
    // A terminal status allows nothing.
    expect(allowedCases().filter((c) => TERMINAL.includes(c.from))).toEqual([]);
  });

  test('When a status must be reached, then the table leads there from CREATED', () => {
    for (const status of ORDER_STATUSES) expect(() => pathTo(status)).not.toThrow();
    expect(pathTo('REFUNDED').map((step) => step.to)).toEqual(['PENDING_PAYMENT', 'PAID', 'REFUNDED']);
  });

  test('When a row is added to the table, then it becomes a new case', () => {
    const withPaidCancel = [...TRANSITION_TABLE, { from: ['PAID'] as const, request: 'POST /orders/:id/cancel' as const, to: ['CANCELLED'] as const }];
    expect(allowedCases(withPaidCancel)).toContainEqual({ from: 'PAID', request: 'POST /orders/:id/cancel', to: 'CANCELLED' });
    expect(forbiddenCases(withPaidCancel)).not.toContainEqual({ from: 'PAID', request: 'POST /orders/:id/cancel' });
  });
});
