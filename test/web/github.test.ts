/**
 * GitHub sign-in is offered only when configured, and its OAuth dance is protected by a state
 * kept in the session (no network needed: both checks happen before any call to GitHub).
 */
import { Browser, startWebTestContext, type WebApp, type WebTestContext } from './support';

let context: WebTestContext;
let withGitHub: WebApp;

beforeAll(async () => {
  context = await startWebTestContext();
  withGitHub = await context.startApp({ GITHUB_CLIENT_ID: 'client-id-123', GITHUB_CLIENT_SECRET: 'secret', BASE_URL: 'http://localhost:3000' });
});

afterAll(async () => {
  await context?.close();
});

test('When GitHub is configured, then the landing page offers it', async () => {
  const landing = await new Browser(withGitHub).get('/');
  expect(landing.text).toContain('href="/auth/github"');
  expect(landing.text).toContain('Continue with GitHub');
});

test('When a visitor starts GitHub sign-in, then they are sent to GitHub with our client id and a state', async () => {
  const response = await new Browser(withGitHub).get('/auth/github');
  expect(response.status).toBe(302);
  const location = new URL(response.headers.location);
  expect(location.origin + location.pathname).toBe('https://github.com/login/oauth/authorize');
  expect(location.searchParams.get('client_id')).toBe('client-id-123');
  expect(location.searchParams.get('redirect_uri')).toBe('http://localhost:3000/auth/github/callback');
  expect(location.searchParams.get('state')).toMatch(/.{16,}/);
});

test('When the callback comes back with a forged state, then nobody is signed in', async () => {
  const browser = new Browser(withGitHub);
  await browser.get('/auth/github');
  const response = await browser.get('/auth/github/callback?code=abc&state=forged');
  expect(response.status).toBe(401);
  expect((await browser.get('/')).text).toContain('Continue with GitHub');
});

test('When GitHub is not configured, then its routes do not exist', async () => {
  const plain = await context.startApp();
  expect((await new Browser(plain).get('/auth/github')).status).toBe(404);
});
