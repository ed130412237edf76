import { ensure, measure, show, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { header } from './support/client';
import { responseSamples } from './support/samples';

const check = useChecks(checks);

const MIN_HSTS_MAX_AGE = 15_552_000; // 180 days

/** `default-src 'self'; script-src …` as a map of directive → sources (lower-cased names). */
function parseCsp(value: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

interface HeaderProblem {
  /** The header concerned. */
  header: string;
  /** Absent altogether (helmet missing or registered too late), or present with a wrong value. */
  kind: 'missing' | 'value';
  /** For a CSP value: the directive at fault. */
  directive?: string;
  text: string;
}

/** What is wrong with one response's security headers. */
function headerProblems(res: HttpExchange): HeaderProblem[] {
  const problems: HeaderProblem[] = [];
  const csp = header(res, 'content-security-policy');
  if (!csp) problems.push({ header: 'Content-Security-Policy', kind: 'missing', text: 'no `Content-Security-Policy`' });
  else {
    const directives = parseCsp(csp);
    const defaultSrc = directives.get('default-src');
    if (!defaultSrc || !(defaultSrc.includes("'self'") || defaultSrc.includes("'none'")) || defaultSrc.includes('*')) {
      problems.push({
        header: 'Content-Security-Policy',
        kind: 'value',
        directive: 'default-src',
        text: defaultSrc
          ? `\`Content-Security-Policy\` has \`default-src ${defaultSrc.join(' ')}\`; expected \`'self'\` or \`'none'\` and no \`*\``
          : `\`Content-Security-Policy: ${csp.slice(0, 160)}\` has no \`default-src\` directive; expected \`default-src 'self'\` (or \`'none'\`)`,
      });
    }
    for (const name of ['default-src', 'script-src']) {
      const unsafe = (directives.get(name) ?? []).filter((s) => s === "'unsafe-inline'" || s === "'unsafe-eval'");
      if (unsafe.length) {
        problems.push({
          header: 'Content-Security-Policy',
          kind: 'value',
          directive: name,
          text: `\`Content-Security-Policy\` allows ${unsafe.map((u) => `\`${u}\``).join(' and ')} in \`${name}\``,
        });
      }
    }
  }
  const hsts = header(res, 'strict-transport-security');
  const maxAge = Number(/max-age\s*=\s*"?(\d+)/i.exec(hsts ?? '')?.[1] ?? NaN);
  if (!hsts) problems.push({ header: 'Strict-Transport-Security', kind: 'missing', text: 'no `Strict-Transport-Security`' });
  else if (!(maxAge >= MIN_HSTS_MAX_AGE) || !/includesubdomains/i.test(hsts)) {
    problems.push({
      header: 'Strict-Transport-Security',
      kind: 'value',
      text: `\`Strict-Transport-Security: ${hsts}\`; expected \`max-age\` ≥ ${MIN_HSTS_MAX_AGE} and \`includeSubDomains\``,
    });
  }
  const nosniff = header(res, 'x-content-type-options');
  if (nosniff?.trim().toLowerCase() !== 'nosniff') {
    problems.push({
      header: 'X-Content-Type-Options',
      kind: nosniff === undefined ? 'missing' : 'value',
      text: `\`X-Content-Type-Options\` is ${show(nosniff ?? null)}; expected \`nosniff\``,
    });
  }
  const frame = header(res, 'x-frame-options');
  if (!/^\s*(deny|sameorigin)\s*$/i.test(frame ?? '')) {
    problems.push({
      header: 'X-Frame-Options',
      kind: frame === undefined ? 'missing' : 'value',
      text: `\`X-Frame-Options\` is ${show(frame ?? null)}; expected \`DENY\` or \`SAMEORIGIN\``,
    });
  }
  return problems;
}

/** What to change, from what was seen: a header missing is a middleware-order problem, a wrong value a setting. */
function headerAdvice(samples: Array<{ label: string; problems: HeaderProblem[] }>, total: number): string {
  const advice: string[] = [];
  const missing = samples.filter((s) => s.problems.some((p) => p.kind === 'missing'));
  if (missing.length === total) {
    advice.push(
      'Send the security headers on every response: `helmet()` (Express, NestJS) or `@fastify/helmet` / `koa-helmet` ' +
        'with their defaults gives all four, registered first, before the rate limiter and the routes.',
    );
  } else if (missing.length) {
    advice.push(
      `Some responses have the headers and ${missing.map((s) => `the ${s.label}`).join(', ')} does not: the headers are ` +
        'added too late for it. Register `helmet()` (or whatever sets them) as the first middleware, before the rate ' +
        'limiter, the routes and the 404/error handling, so errors and 429s get them too.',
    );
  }
  const valueProblems = samples.flatMap((s) => s.problems.filter((p) => p.kind === 'value'));
  const directives = [...new Set(valueProblems.map((p) => p.directive).filter((d): d is string => d !== undefined))];
  if (directives.length) {
    advice.push(
      `The \`Content-Security-Policy\` header is there, but its ${directives.map((d) => `\`${d}\``).join(' and ')} ` +
        `${directives.length > 1 ? 'directives are' : 'directive is'} wrong: \`default-src\` must be \`'self'\` or ` +
        "`'none'` (no `*`), and neither `default-src` nor `script-src` may allow `'unsafe-inline'` or `'unsafe-eval'`. " +
        "helmet's default policy is right; if you pass `contentSecurityPolicy.directives`, fix " +
        `${directives.map((d) => `\`${d.replace(/-(\w)/, (_, c: string) => c.toUpperCase())}\``).join(' / ')} there ` +
        '(an API serves no inline scripts, so it needs neither).',
    );
  }
  const others = [...new Set(valueProblems.filter((p) => !p.directive).map((p) => p.header))];
  if (others.length) {
    advice.push(
      `${others.map((h) => `\`${h}\``).join(', ')} ${others.length > 1 ? 'are' : 'is'} sent with the wrong value (see above): ` +
        'fix the option that sets it (helmet: `strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true }`, ' +
        "`frameguard: { action: 'deny' }`, `noSniff`) rather than adding a second middleware.",
    );
  }
  return advice.join('\n\n');
}

check('headers.security-headers', async () => {
  const samples = await responseSamples();
  const hsts = Number(/max-age=(\d+)/i.exec(header(samples[0].res, 'strict-transport-security') ?? '')?.[1] ?? 0);
  measure('HSTS max-age of the 200 (s)', hsts, { threshold: `≥ ${MIN_HSTS_MAX_AGE}` });
  const wrong = samples.map((s) => ({ ...s, problems: headerProblems(s.res) })).filter((s) => s.problems.length);
  ensure(
    wrong.length === 0,
    `Responses sent over HTTPS (\`X-Forwarded-Proto: https\`) lack security headers or carry wrong values:\n` +
      wrong.map((s) => `- ${s.label}: ${s.problems.map((p) => p.text).join('; ')}`).join('\n') +
      `\n\n${headerAdvice(wrong, samples.length)}`,
  );
});

check('headers.no-powered-by', async () => {
  const samples = await responseSamples();
  const leaking = samples.filter((s) => header(s.res, 'x-powered-by') !== undefined);
  ensure(
    leaking.length === 0,
    `${leaking.map((s) => `The ${s.label} has \`X-Powered-By: ${header(s.res, 'x-powered-by')}\``).join('; ')}; ` +
      "expected no such header: it tells attackers your framework. `helmet()` removes it; so does `app.disable('x-powered-by')`.",
  );
});
