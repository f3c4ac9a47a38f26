/**
 * The explorer in a real browser: Debian's headless Chromium, driven by puppeteer-core,
 * against the real server started as `npm start` starts it (embedded PostgreSQL, sample
 * data, a generated admin token printed on the terminal). Every request that would leave
 * the machine is refused, as on a network without internet, and recorded.
 *
 * `npm run test:browser` (which .ci/run calls); screenshots go to test/browser/screenshots/.
 */
/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { runningEmbedded } from '../../src/db/embedded';
import { SANDBOX_LOAD_TIMEOUT_MS, SANDBOX_SCRIPT } from '../../src/graphql/explorer';

const ROOT = join(__dirname, '..', '..');
const SCREENSHOTS = join(__dirname, 'screenshots');
const CHROMIUM = process.env.AE_CHROMIUM ?? '/usr/bin/chromium';
// As root Chromium needs --no-sandbox; the background-networking flags stop it calling home,
// which a closed network answers with refused connections.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

let tmp: string;
let server: ChildProcess;
let serverOutput = '';
let origin: string;
let adminToken: string;
let db: Client;
let browser: Browser;

/** `npm start`'s second step (the first only builds, which test:browser has done). */
function startServer(dataDir: string, tokenFile: string): Promise<{ url: string; token: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    AE_HOST: '127.0.0.1',
    AE_EMBEDDED_DATA_DIR: dataDir,
    AE_LOG_FORMAT: 'json',
    AE_ADMIN_TOKEN_FILE: tokenFile,
  };
  for (const k of ['AE_DATABASE_URL', 'AE_ADMIN_TOKEN', 'AE_WRITE_TOKEN', 'AE_READ_TOKEN', 'AE_EMBEDDED_PORT'])
    delete env[k];
  server = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'server.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      serverOutput += chunk.toString();
      const url = /ready in .*?(http:\/\/\S+\/graphql)/.exec(serverOutput)?.[1];
      // Not on a terminal, the generated admin token goes to a 0600 file whose path is logged.
      if (url && serverOutput.includes(`admin token for this run written to ${tokenFile}`))
        resolve({ url, token: readFileSync(tokenFile, 'utf8').trim() });
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) =>
      reject(new Error(`server exited with ${code} before it was ready:\n${serverOutput}`)),
    );
  });
}

async function stopServer(): Promise<void> {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'ae-browser-'));
  chmodSync(tmp, 0o755); // the embedded server runs as the `postgres` user when we are root
  const dataDir = join(tmp, 'pg');
  const started = await startServer(dataDir, join(tmp, 'admin-token'));
  origin = new URL(started.url).origin;
  adminToken = started.token;
  db = new Client({ connectionString: runningEmbedded(dataDir) });
  await db.connect();
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    userDataDir: join(tmp, 'chromium'),
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await stopServer();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Watched {
  page: Page;
  /** Requests for anything not on this machine (each refused). */
  offMachine: string[];
  /** CSP violations the page reported. */
  violations: () => Promise<string[]>;
  pageErrors: string[];
}

const isLocal = (url: string) => {
  const u = new URL(url);
  return u.protocol === 'data:' || u.protocol === 'blob:' || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
};

/**
 * A page on which every request off this machine is refused, as without internet.
 * `onOffMachine` may answer one instead (standing in for a host that does answer) or leave it unanswered.
 */
async function openPage(onOffMachine?: (req: HTTPRequest) => 'answered' | 'hang' | undefined): Promise<Watched> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 2200 });
  const offMachine: string[] = [];
  const pageErrors: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (isLocal(req.url())) return void req.continue();
    offMachine.push(req.url());
    const handled = onOffMachine?.(req);
    if (!handled) void req.abort('internetdisconnected');
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.evaluateOnNewDocument(() => {
    (window as any).__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || e.sample}`),
    );
  });
  return {
    page,
    offMachine,
    pageErrors,
    violations: () => page.evaluate(() => (window as any).__cspViolations as string[]),
  };
}

const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

const textOf = (page: Page, selector: string) =>
  page.$eval(selector, (e) => (e as HTMLElement).innerText.replace(/\u00a0/g, ' '));

const QUERY_EDITOR = '.graphiql-query-editor .monaco-editor .view-lines';
const RESULT = '.graphiql-response .view-lines';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines';

/** Waits until the explorer has loaded the schema (the docs pane can list the root types). */
async function openExplorer(w: Watched, path = '/graphql'): Promise<void> {
  await w.page.goto(origin + path, { waitUntil: 'networkidle0' });
  await w.page.waitForSelector(QUERY_EDITOR);
}

/** Replaces the contents of a Monaco editor by typing, as a person does. */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay: 5 });
  await page.keyboard.press('Escape'); // close the completion list
}

/**
 * Clicks Run and returns the result pane's text once it has changed and stopped changing
 * (Monaco lays a long result out over more than one frame). A click GraphiQL did not take
 * (no request started, the pane unchanged after 5 s) is repeated once; every run here is
 * idempotent.
 */
async function run(page: Page): Promise<string> {
  const read = () => textOf(page, RESULT).catch(() => '');
  const spinning = async () => !!(await page.$('.graphiql-response .graphiql-spinner'));
  const before = await read();
  await page.click('.graphiql-execute-button');
  let clicks = 1;
  let last = before;
  const started = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const text = await read();
    if (text && text !== before && text === last && !(await spinning())) return text;
    if (text === before && clicks === 1 && Date.now() - started > 5_000 && !(await spinning())) {
      await page.click('.graphiql-execute-button');
      clicks++;
    }
    if (Date.now() - started > 20_000) {
      await screenshot(page, 'failed-run');
      throw new Error(
        `no result within 20 s of ${clicks} click(s) on Run; the result pane shows ${JSON.stringify(text.slice(0, 300))}`,
      );
    }
    last = text;
  }
}

async function clickSidebar(page: Page, label: string): Promise<void> {
  await page.click(`.graphiql-sidebar button[aria-label="${label}"]`);
}

/** Opens a sidebar panel and waits until GraphiQL shows it (its button then reads "Hide …"). */
async function openPanel(page: Page, title: string): Promise<void> {
  if (await page.$(`.graphiql-sidebar button[aria-label="Hide ${title}"]`)) return;
  await clickSidebar(page, `Show ${title}`);
  await page.waitForSelector(`.graphiql-sidebar button[aria-label="Hide ${title}"]`, { timeout: 10_000 });
}

async function openEditorTool(page: Page, name: 'Variables' | 'Headers'): Promise<void> {
  for (const button of await page.$$('.graphiql-editor-tools button')) {
    if ((await button.evaluate((b) => b.textContent)) === name) return void (await button.click());
  }
  throw new Error(`no ${name} button`);
}

/** Opens a new tab and waits until it is the active one (tabs of earlier pages come back from localStorage). */
async function newTab(page: Page): Promise<void> {
  const before = (await page.$$('.graphiql-tab')).length;
  await page.click('.graphiql-tab-add');
  await page.waitForFunction(
    (n) => {
      const tabs = document.querySelectorAll('.graphiql-tab');
      return tabs.length > n && tabs[tabs.length - 1].classList.contains('graphiql-tab-active');
    },
    { timeout: 10_000 },
    before,
  );
}

describe('the local explorer, offline', () => {
  it('opens on examples/queries.graphql, with the schema docs and the field explorer, loading nothing from outside under its CSP', async () => {
    const w = await openPage();
    await openExplorer(w);
    // The first operation of the examples file is in the editor.
    const firstOperation = /^query (\w+)/m.exec(readFileSync(join(ROOT, 'examples', 'queries.graphql'), 'utf8'))![1];
    expect(await textOf(w.page, QUERY_EDITOR)).toContain(`query ${firstOperation} {`);
    expect(await textOf(w.page, '.graphiql-tab-active')).toContain(firstOperation);

    await clickSidebar(w.page, 'Show Documentation Explorer');
    await w.page.waitForFunction(() =>
      document.querySelector('.graphiql-doc-explorer')?.textContent?.includes('Query'),
    );
    // Click through: Query → its fields.
    await w.page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name');
    await w.page.waitForFunction(() =>
      document.querySelector('.graphiql-doc-explorer')?.textContent?.includes('movementCycles'),
    );
    expect(await textOf(w.page, '.graphiql-doc-explorer')).toMatch(/participantOverview/);

    await clickSidebar(w.page, 'Show GraphiQL Explorer');
    await w.page.waitForFunction(() =>
      document.querySelector('.graphiql-explorer-root, .docExplorerWrap')?.textContent?.includes('studies'),
    );
    await screenshot(w.page, '1-docs-and-explorer');
    // Ruru's Grafast-only Explain pane is hidden.
    expect(
      await w.page.$eval('.graphiql-sidebar button[aria-label="Show Explain"]', (b) => getComputedStyle(b).display),
    ).toBe('none');

    expect(w.offMachine).toEqual([]);
    expect(await w.violations()).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    await w.page.close();
  });

  it('runs a nested query typed into the editor and shows the rows that are in the database, and keeps it in History', async () => {
    const w = await openPage();
    await openExplorer(w);
    await newTab(w.page);
    const query =
      '{ studies { name participants { studyParticipantId audioProcessings(filter: { knee: left, maneuver: walk }) { audioFileName } } } }';
    await typeInto(w.page, QUERY_EDITOR, query);
    expect(await textOf(w.page, QUERY_EDITOR)).toBe(query);
    // GraphiQL takes an edit into the tab (what History records) after a debounce: a run
    // clicked sooner records the tab's old, empty query. Wait until the tab state holds it.
    await w.page.waitForFunction(
      (q) =>
        Object.keys(localStorage).some((k) => k.endsWith('tabState') && (localStorage.getItem(k) ?? '').includes(q)),
      { timeout: 10_000 },
      query,
    );

    const shown = JSON.parse(await run(w.page));
    await screenshot(w.page, '2-nested-query-result');
    const rowsShown = shown.data.studies.flatMap((s: any) =>
      s.participants.flatMap((p: any) =>
        p.audioProcessings.map((a: any) => `${s.name} ${p.studyParticipantId} ${a.audioFileName}`),
      ),
    );
    const { rows } = await db.query(
      `select s.name, p.study_participant_id, a.audio_file_name
         from audio_processing a join participant p on p.id = a.participant_id join study s on s.id = p.study_id
        where a.knee = 'left' and a.maneuver = 'walk'`,
    );
    expect(rows.length).toBeGreaterThan(5);
    expect([...rowsShown].sort()).toEqual(
      rows.map((r) => `${r.name} ${r.study_participant_id} ${r.audio_file_name}`).sort(),
    );

    await openPanel(w.page, 'History');
    await w.page.waitForSelector('.graphiql-history-item', { timeout: 10_000 }).catch(async (e: Error) => {
      // Say what the panel and GraphiQL's stored history held, not only that the wait ran out.
      const panel = await textOf(w.page, '.graphiql-history').catch(() => '(no history panel)');
      const stored = await w.page.evaluate(() =>
        JSON.stringify(Object.fromEntries(Object.entries(localStorage).filter(([k]) => k.endsWith('queries')))),
      );
      throw new Error(`${e.message}; history panel: ${JSON.stringify(panel)}; stored history: ${stored}`);
    });
    expect(await textOf(w.page, '.graphiql-history')).toContain('studies');

    expect(w.offMachine).toEqual([]);
    expect(await w.violations()).toEqual([]);
    await w.page.close();
  });

  it('sends a token pasted into Headers: the write is refused without it and accepted with it', async () => {
    const w = await openPage();
    await openExplorer(w);
    await newTab(w.page);
    const number = 4711;
    const stored = async () =>
      (
        await db.query(
          `select p.id from participant p join study s on s.id = p.study_id where s.name = 'SMoCK' and p.study_participant_id = $1`,
          [number],
        )
      ).rowCount;
    expect(await stored()).toBe(0);
    await typeInto(
      w.page,
      QUERY_EDITOR,
      `mutation { upsertParticipant(study: SMoCK, number: ${number}) { studyParticipantId } }`,
    );

    // The pane wraps the long message, so read it as text.
    const refused = (await run(w.page)).replace(/\s+/g, ' ');
    expect(refused).toContain('"code": "UNAUTHENTICATED"');
    expect(refused).toContain('This operation needs the write token');
    expect(await stored()).toBe(0);

    await openEditorTool(w.page, 'Headers');
    await typeInto(w.page, HEADERS_EDITOR, `{"Authorization": "Bearer ${adminToken}"}`);
    expect(await textOf(w.page, HEADERS_EDITOR)).toBe(`{"Authorization": "Bearer ${adminToken}"}`);
    const accepted = JSON.parse(await run(w.page));
    await screenshot(w.page, '3-token-in-headers');
    expect(accepted).toEqual({ data: { upsertParticipant: { studyParticipantId: number } } });
    expect(await stored()).toBe(1);

    expect(w.offMachine).toEqual([]);
    expect(await w.violations()).toEqual([]);
    await w.page.close();
  });
});

describe('Apollo Sandbox', () => {
  it("is one click away, and falls back to the local explorer on its own when Apollo's CDN does not answer", async () => {
    const w = await openPage();
    await openExplorer(w);
    await Promise.all([w.page.waitForNavigation(), w.page.click('#ae-open-sandbox')]);
    await w.page.waitForFunction(() => location.pathname === '/graphql' && location.search === '?sandbox=unavailable', {
      timeout: 20_000,
    });
    await w.page.waitForSelector(QUERY_EDITOR);
    expect(await textOf(w.page, '#ae-sandbox-unavailable')).toMatch(/Apollo Sandbox could not be loaded/);
    await screenshot(w.page, '4-sandbox-unavailable-fallback');
    expect(w.offMachine).toEqual([SANDBOX_SCRIPT]);
    expect(await w.violations()).toEqual([]);
    await w.page.close();
  });

  it('falls back too when the CDN never answers (a network that drops the connection)', async () => {
    const w = await openPage(() => 'hang');
    const started = Date.now();
    await w.page.goto(`${origin}/sandbox`, { waitUntil: 'domcontentloaded' });
    expect(await textOf(w.page, '#ae-sandbox-status')).toMatch(/local explorer/);
    await w.page.waitForFunction(() => location.search === '?sandbox=unavailable', { timeout: 20_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(SANDBOX_LOAD_TIMEOUT_MS);
    await w.page.waitForSelector('#ae-sandbox-unavailable');
    await w.page.close();
  });

  it('starts Sandbox on this endpoint with the examples when the CDN answers (a stand-in script, since this machine cannot reach it)', async () => {
    const standIn = `window.EmbeddedSandbox = function (config) {
      window.__sandboxConfig = config;
      document.querySelector(config.target).textContent = 'Sandbox stand-in on ' + config.initialEndpoint;
    };`;
    const w = await openPage((req) => {
      if (req.url() !== SANDBOX_SCRIPT) return undefined;
      void req.respond({ status: 200, contentType: 'text/javascript', body: standIn });
      return 'answered';
    });
    await w.page.goto(`${origin}/sandbox`, { waitUntil: 'networkidle0' });
    await w.page.waitForFunction(() => (window as any).__sandboxConfig);
    const config = await w.page.evaluate(() => (window as any).__sandboxConfig);
    expect(config.initialEndpoint).toBe(`${origin}/graphql`);
    expect(config.initialState.document).toBe(readFileSync(join(ROOT, 'examples', 'queries.graphql'), 'utf8'));
    expect(config.endpointIsEditable).toBe(false);
    expect(config.allowDynamicStyles).toBe(false);
    expect(await w.page.$('#ae-sandbox-status')).toBeNull();
    // Still there after the fallback's timeout would have fired.
    await new Promise((r) => setTimeout(r, SANDBOX_LOAD_TIMEOUT_MS + 1_000));
    expect(new URL(w.page.url()).pathname).toBe('/sandbox');
    expect(await w.violations()).toEqual([]);
    await w.page.close();
  });
});
