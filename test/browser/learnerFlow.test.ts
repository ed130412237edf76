/**
 * A person's path in a real browser (Debian's Chromium driven by playwright-core): sign in,
 * open Phase 1, submit the reference solution's repository, watch the stages advance live on
 * the submission page (no reload), and read the score. Screenshots go to test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser as Chromium, type Page } from 'playwright-core';
import type { GitServer } from '../support/gitServer';
import { startGradingStack, type GradingStack } from '../support/gradingStack';
import type { WebApp } from '../web/support';
import { materializeReference } from '../../scripts/lib/references';

jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
let stack: GradingStack;
let app: WebApp;
let git: GitServer;
let browser: Chromium;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startGradingStack();
  ({ app, git } = stack);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('When a learner uses the platform in a browser', () => {
  test('then they sign in, submit, watch live progress and see their score', async () => {
    const repo = git.publish('browser-auth-service', materializeReference({ app: 'reference/project-1', phases: [] }));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await page.goto(app.url);
    await shot(page, '1-landing');
    await page.fill('input[name=login]', 'ada-lovelace');
    await page.click('form[action="/auth/dev"] button[type=submit]');
    await page.waitForSelector('text=Auth + Users Service');
    await shot(page, '2-course');

    await page.click('a[href="/phases/phase-1-auth"]');
    await page.waitForSelector('input[name=repo_url]');
    await page.fill('input[name=repo_url]', repo.url);
    await page.click('form[action="/phases/phase-1-auth/submissions"] button[type=submit]');
    await page.waitForURL(/\/submissions\/[0-9a-f-]{36}$/);
    const submissionUrl = page.url();

    // Right after a submission the phase is in its cooldown (counted from the submission, so it is
    // looked at now, not after a grading that may outlast it): the page counts the time left down.
    const phasePage = await context.newPage(); // the same session: signed in
    phasePage.on('pageerror', (error) => errors.push(error.message));
    await phasePage.goto(`${app.url}/phases/phase-1-auth`);
    const left = async () => Number((await phasePage.textContent('.cooldown-left'))!.replace(/\D/g, ''));
    const first = await left();
    expect(first).toBeGreaterThan(0);
    expect(await phasePage.isDisabled('form[action="/phases/phase-1-auth/submissions"] button[type=submit]')).toBe(true);
    // The page's own script counts down (polled from here: the CSP forbids evaluating strings).
    const deadline = Date.now() + 5_000;
    while ((await left()) >= first && Date.now() < deadline) await phasePage.waitForTimeout(200);
    expect(await left()).toBeLessThan(first);
    await shot(phasePage, '6-phase-cooldown');
    await phasePage.close();

    // The page itself (not a reload) shows the grading advance: the testing stage becomes current.
    await page.waitForSelector('#timeline [data-stage="testing"][data-state="current"]', { timeout: 300_000 });
    await shot(page, '3-live-progress');
    expect(page.url()).toBe(submissionUrl);

    await page.waitForSelector('#status-badge:has-text("scored")', { timeout: 300_000 });
    await page.waitForSelector('text=POST /auth/register creates a user and answers 201 with it');
    const body = await page.textContent('body');
    expect(body).toMatch(/100\s*\/\s*100/);
    await shot(page, '4-scored');

    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, '5-scored-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Linking a repository for graded pushes: the webhook URL and secret, with working copy buttons.
    await page.click('nav a[href="/github"]');
    await page.fill('input[name=repo]', 'ada-lovelace/backend-course');
    await page.fill('input[name="branch_phase-1-auth"]', 'main');
    await page.click('form[action="/github/link"] button[type=submit]');
    await page.waitForSelector('#webhook-secret');
    expect(await page.inputValue('#webhook-secret')).toMatch(/^[0-9a-f]{48}$/);
    await page.click('button[data-copy-target="webhook-secret"]');
    await page.waitForSelector('button[data-copy-target="webhook-secret"]:has-text("Copied")');
    await shot(page, '7-github-link');
    expect(errors).toEqual([]);
  });
});
