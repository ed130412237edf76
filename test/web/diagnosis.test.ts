/**
 * The diagnosis on the submission page, on the real PostgreSQL: stored with the result (its own
 * column), shown once above the score or the error, its markdown rendered and sanitised.
 */
import { selectOptionalResult, storeOutcome } from '../../core/models/results';
import { Browser, startWebTestApp, type WebApp, type WebTestContext, outcome } from './support';

let context: WebTestContext;
let app: WebApp;

beforeAll(async () => ({ context, app } = await startWebTestApp()));
afterAll(async () => await context?.close());

/** `login` signs in and submits https://github.com/<login>/auth for phase 1 through the form: the browser and the submission's id. */
async function submitPhase1(login: string): Promise<{ browser: Browser; id: string }> {
  const browser = await Browser.signedIn(app, login);
  const created = await browser.post(
    '/phases/phase-1-auth/submissions',
    { repo_url: `https://github.com/${login}/auth` },
    { formPage: '/phases/phase-1-auth' },
  );
  return { browser, id: /^\/submissions\/([0-9a-f-]{36})$/.exec(created.headers.location ?? '')?.[1] ?? '' };
}

test('When a result carries a diagnosis, then the submission page shows it first, once, rendered and sanitised', async () => {
  const { browser, id } = await submitPhase1('barbara');
  const diagnosis = {
    id: 'global-prefix',
    cause: 'learner' as const,
    title: 'Your routes are under a global prefix the grader does not know',
    message: 'Add `prefix: /api` to backend-pro.yml <script>alert(1)</script>',
  };
  await storeOutcome(id, outcome({ diagnosis }));
  expect((await selectOptionalResult(id))?.diagnosis).toEqual(diagnosis);

  const page = (await browser.get(`/submissions/${id}`)).text;
  expect(page).toContain('data-diagnosis="global-prefix"');
  expect(page).toContain('<code>prefix: /api</code>');
  expect(page).not.toContain('<script>alert(1)</script>');
  expect(page.split(diagnosis.title)).toHaveLength(2);
  expect(page.indexOf('id="diagnosis"')).toBeLessThan(page.indexOf('id="results"'));
});

test('When an error result carries a diagnosis, then the diagnosis leads and the raw error is folded under it', async () => {
  const { browser, id } = await submitPhase1('edsger');
  const diagnosis = {
    id: 'missing-env-variable',
    cause: 'learner' as const,
    title: 'Your app requires an environment variable the grader does not set',
    message: 'Give `MAIL_API_KEY` a value.',
  };
  await storeOutcome(
    id,
    outcome({
      status: 'error',
      cause: 'learner',
      message: 'Your app exited (code 1) before listening on PORT 3000.',
      maxScore: 0,
      diagnosis,
    }),
  );
  const page = (await browser.get(`/submissions/${id}`)).text;
  expect(page.indexOf('id="diagnosis"')).toBeGreaterThan(-1);
  expect(page.indexOf('id="diagnosis"')).toBeLessThan(page.indexOf('<details class="notice notice-error">'));
  expect(page).toContain('Your app exited (code 1) before listening on PORT 3000.');
});
