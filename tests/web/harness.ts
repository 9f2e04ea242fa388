// Browser-test harness for the live-room page: builds apps/web when its dist is missing or older
// than its sources, starts roomcast in-process on port 0 serving that build with the demo
// backend on, and opens viewers in Debian's Chromium, each a fresh profile in a temp dir.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer, DEFAULT_NAMESPACES, type RoomcastServer } from '@roomcast/server';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB = join(ROOT, 'apps/web');
export const WEB_DIST = join(WEB, 'dist');
export const ARTIFACTS = join(ROOT, 'test-results/web');
export const API_KEY = 'web-test-api-key';
export const HMAC_SECRET = 'web-test-hmac-secret-long-enough';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Newest modification time under `dir` (files only). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the page with Vite unless dist/index.html is newer than every source it is made of. */
export async function ensureBuild(): Promise<void> {
  const index = join(WEB_DIST, 'index.html');
  if (existsSync(index)) {
    const built = statSync(index).mtimeMs;
    const sources = Math.max(
      newest(join(WEB, 'src')),
      newest(join(WEB, 'public')),
      statSync(join(WEB, 'index.html')).mtimeMs,
      newest(join(ROOT, 'packages/client/src')),
    );
    if (built >= sources) return;
  }
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
    cwd: WEB,
    timeout: 120_000,
  });
  if (!existsSync(index)) throw new Error('vite build produced no dist/index.html');
}

export interface WebServer {
  server: RoomcastServer;
  base: string;
  api: (method: string, params: unknown) => Promise<{ result?: unknown; error?: { code: number } }>;
  close: () => Promise<void>;
}

/**
 * roomcast as `npm start` runs it (demo on, anonymous viewers, the page at /), on port 0; online
 * counts are pushed every second instead of every 5 s to keep the tests short.
 */
export async function startWebServer(): Promise<WebServer> {
  const server = createServer({
    config: {
      api: { key: API_KEY },
      token: { hmacSecret: HMAC_SECRET },
      client: { allowAnonymous: true },
      demo: { enabled: true },
      web: { root: WEB_DIST },
      log: { level: 'silent' },
      namespaces: DEFAULT_NAMESPACES.map((n) =>
        n.name === 'live' ? { ...n, room: { ...n.room, onlineIntervalSeconds: 1 } } : n,
      ),
    },
  });
  const l = await server.listen(0, '127.0.0.1');
  if (!server.webServed) throw new Error(`no index.html in ${WEB_DIST}`);
  const base = `http://127.0.0.1:${l.port}`;
  return {
    server,
    base,
    api: async (method, params) => {
      const res = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify(params),
      });
      return (await res.json()) as { result?: unknown; error?: { code: number } };
    },
    close: () => server.close({ timeoutMs: 2000 }),
  };
}

export interface Viewer {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/** A browser of its own (fresh profile in a temp dir) with one page open. */
export async function openViewer(opts: { width?: number; height?: number } = {}): Promise<Viewer> {
  const profile = mkdtempSync(join(tmpdir(), 'roomcast-web-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  let closed = false;
  return {
    context,
    page,
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined); // already gone with the test's failure
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot under test-results/web/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Opens the live room `room` and waits until it is connected. */
export async function openRoom(page: Page, base: string, room: string): Promise<void> {
  await page.goto(`${base}/?room=${encodeURIComponent(room)}`);
  await page.locator('#conn[data-status="connected"]').waitFor();
}

/** Signs in through the page's dialog with a display name; resolves when reconnected as that user. */
export async function signIn(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign in' }).first().click();
  await page.getByLabel('Display name').fill(name);
  await page.locator('#signin-submit').click();
  await page.locator('#me-label', { hasText: `Signed in as ${name}` }).waitFor({ state: 'attached' });
  await page.locator('#conn[data-status="connected"]').waitFor();
}

/** Sends a chat line from the page's send box, keyboard only: Escape, "/" to focus, Enter to send. */
export async function say(page: Page, text: string): Promise<void> {
  await page.keyboard.press('Escape'); // leaves the send box if it has focus, so "/" is a shortcut
  await page.keyboard.press('/');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}
