// Browser tests of the web UI: Debian's Chromium driven by playwright-core (never a downloaded
// browser), a real kernel with its built-in components, and the gateway on 127.0.0.1 with an agent
// whose model is scripted. One kernel and one browser per file; per test a fresh browser context
// and a gateway whose owner is a user of its own, so tests never see each other's chats.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, afterEach, before } from 'node:test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startGateway, type Gateway } from '../../gateway/server.ts';
import type { ConfigFile, MeshView } from '../../gateway/deps.ts';
import { bootstrapBuiltins, type Kernel, type KernelOptions } from '../../kernel/api.ts';
import { Agent, type JobService, type Llm } from '../../agent/api.ts';
import { RoutineService } from '../../agent/services.ts';
import { openTestKernel } from '../support/kernel.ts';
import { scriptedModel, type Step } from '../support/model-double.ts';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why the browser suite cannot run here, or undefined when it can. Without Chromium the suite is
 * skipped, unless TITAN_REQUIRE_BROWSER is set (CI sets it): then a missing browser fails.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM) || process.env.TITAN_REQUIRE_BROWSER) return undefined;
  return `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run the web UI tests`;
}

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`TITAN_REQUIRE_BROWSER is set but ${CHROMIUM} is missing (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** `mesh`: set by a test that starts one beside the kernel; every session's gateway shows it. */
export type UiKernel = { kernel: Kernel; home: string; mesh?: MeshView; close(): Promise<void> };

export async function openUiKernel(options: KernelOptions = {}): Promise<UiKernel> {
  const { kernel, home, cleanup } = await openTestKernel(options);
  const report = await bootstrapBuiltins(kernel);
  if (report.failed.length) throw new Error(`bootstrap failed: ${JSON.stringify(report.failed)}`);
  return { kernel, home, close: cleanup };
}

export type Session = {
  page: Page;
  context: BrowserContext;
  gateway: Gateway;
  agent: Agent;
  /** The routines this session's gateway serves (openSession's `routines: true`). */
  routines?: RoutineService;
  token: string;
  /** A JSON request to the gateway's API with the owner token, as the UI makes it. */
  api(method: string, route: string, body?: unknown): Promise<any>;
  /** Console errors, uncaught exceptions and CSP violations seen by the page. */
  problems: string[];
  close(): Promise<void>;
};

let users = 0;

/** A gateway for a new user with `steps` as its model's script, and a page signed in to the UI
 * (unless `signedIn` is false: then the page is blank). */
export async function openSession(
  browser: Browser,
  ui: UiKernel,
  options: { steps?: Step[]; guardedTools?: string[]; signedIn?: boolean; jobs?: JobService; routines?: boolean; llm?: Llm; configFile?: ConfigFile } = {},
): Promise<Session> {
  const agent = new Agent(ui.kernel, {
    workspace: path.join(ui.home, 'workspace'),
    llm: scriptedModel(options.steps ?? []),
    guardedTools: options.guardedTools,
  });
  await agent.start();
  users += 1;
  const routines = options.routines ? await RoutineService.start({ kernel: ui.kernel, agent, ownerId: `ui-user-${users}` }) : undefined;
  const gateway = await startGateway({
    kernel: ui.kernel,
    agent,
    host: '127.0.0.1',
    port: 0,
    ownerId: `ui-user-${users}`,
    openAi: false,
    mesh: ui.mesh,
    jobs: options.jobs,
    routines,
    llm: options.llm,
    configFile: options.configFile,
  });
  const token = (await readFile(path.join(ui.home, 'gateway-token'), 'utf8')).trim();
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const close = async () => {
    await context.close();
    await gateway.close();
    await routines?.close();
    await agent.close();
  };
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  try {
    if (options.signedIn !== false) {
      await page.goto(`${gateway.url}/#token=${encodeURIComponent(token)}`);
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
    }
  } catch (error) {
    await close();
    throw error;
  }

  return {
    page,
    context,
    gateway,
    agent,
    routines,
    token,
    problems,
    close,
    async api(method, route, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${gateway.url}/api${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const data = await response.json();
      if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(data)}`);
      return data;
    },
  };
}

/** Ends a test's session: a console error, script error or CSP violation it saw fails the test. */
export async function closeSession(session: Session | undefined): Promise<void> {
  const problems = session?.problems ?? [];
  await session?.close();
  assert.deepEqual(problems, [], 'no console errors, script errors or CSP violations');
}

/** Sends `text` from the composer, as a user does: type, then Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
}

export type SessionOptions = Parameters<typeof openSession>[2];

export type UiSuite = {
  readonly browser: Browser;
  readonly ui: UiKernel;
  /** A signed-in page for this test; closed after it, and its console problems fail the test. */
  open(options?: SessionOptions): Promise<Session>;
};

/**
 * A page's suite (call it inside `describe`): one browser and one bootstrapped kernel for the
 * suite, opened before its tests and closed after them; a session per test, closed after each
 * test with the check that the page logged no error. `setUp` and `tearDown` run with the kernel open.
 */
export function uiSuite(
  options: { kernel?: KernelOptions; setUp?: (ui: UiKernel) => Promise<void>; tearDown?: (ui: UiKernel) => Promise<void> } = {},
): UiSuite {
  let browser: Browser | undefined;
  let ui: UiKernel | undefined;
  let session: Session | undefined;
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the suite's ${what} is not open (use it inside a test)`);
    return value;
  };
  before(async () => {
    [browser, ui] = await Promise.all([launchBrowser(), openUiKernel(options.kernel)]);
    await options.setUp?.(ui);
  });
  after(async () => {
    if (ui) await options.tearDown?.(ui);
    await browser?.close();
    await ui?.close();
  });
  afterEach(async () => {
    const ending = session;
    session = undefined;
    await closeSession(ending);
  });
  return {
    get browser() {
      return opened(browser, 'browser');
    },
    get ui() {
      return opened(ui, 'kernel');
    },
    async open(sessionOptions) {
      session = await openSession(opened(browser, 'browser'), opened(ui, 'kernel'), sessionOptions);
      return session;
    },
  };
}
