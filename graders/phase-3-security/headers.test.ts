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

/** What is wrong with one response's security headers. */
function headerProblems(res: HttpExchange): string[] {
  const problems: string[] = [];
  const csp = header(res, 'content-security-policy');
  if (!csp) problems.push('no `Content-Security-Policy`');
  else {
    const directives = parseCsp(csp);
    const defaultSrc = directives.get('default-src');
    if (!defaultSrc || !(defaultSrc.includes("'self'") || defaultSrc.includes("'none'")) || defaultSrc.includes('*')) {
      problems.push(`\`Content-Security-Policy\` has \`default-src\` ${show(defaultSrc?.join(' ') ?? null)}; expected \`'self'\` or \`'none'\``);
    }
    for (const name of ['default-src', 'script-src']) {
      const unsafe = (directives.get(name) ?? []).filter((s) => s === "'unsafe-inline'" || s === "'unsafe-eval'");
      if (unsafe.length) problems.push(`\`Content-Security-Policy\` allows ${unsafe.join(' and ')} in \`${name}\``);
    }
  }
  const hsts = header(res, 'strict-transport-security');
  const maxAge = Number(/max-age\s*=\s*"?(\d+)/i.exec(hsts ?? '')?.[1] ?? NaN);
  if (!hsts) problems.push('no `Strict-Transport-Security`');
  else if (!(maxAge >= MIN_HSTS_MAX_AGE) || !/includesubdomains/i.test(hsts)) {
    problems.push(`\`Strict-Transport-Security: ${hsts}\`; expected \`max-age\` ≥ ${MIN_HSTS_MAX_AGE} and \`includeSubDomains\``);
  }
  const nosniff = header(res, 'x-content-type-options');
  if (nosniff?.trim().toLowerCase() !== 'nosniff') problems.push(`\`X-Content-Type-Options\` is ${show(nosniff ?? null)}; expected \`nosniff\``);
  const frame = header(res, 'x-frame-options');
  if (!/^\s*(deny|sameorigin)\s*$/i.test(frame ?? '')) problems.push(`\`X-Frame-Options\` is ${show(frame ?? null)}; expected \`DENY\` or \`SAMEORIGIN\``);
  return problems;
}

check('headers.security-headers', async () => {
  const samples = await responseSamples();
  const hsts = Number(/max-age=(\d+)/i.exec(header(samples[0]!.res, 'strict-transport-security') ?? '')?.[1] ?? 0);
  measure('HSTS max-age of the 200 (s)', hsts, { threshold: `≥ ${MIN_HSTS_MAX_AGE}` });
  const wrong = samples.map((s) => ({ ...s, problems: headerProblems(s.res) })).filter((s) => s.problems.length);
  ensure(
    wrong.length === 0,
    `Responses sent over HTTPS (\`X-Forwarded-Proto: https\`) lack security headers:\n` +
      wrong.map((s) => `- ${s.label}: ${s.problems.join('; ')}`).join('\n') +
      '\n\nUse `helmet()` as the first middleware, before the rate limiter and the routes, so every response (errors and 429s included) gets its headers.',
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
