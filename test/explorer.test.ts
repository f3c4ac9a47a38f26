/**
 * The browser pages over real HTTP: the local explorer at /graphql (everything it loads comes
 * from this server, under a nonce-based CSP), Apollo Sandbox at /sandbox, and the GraphQL
 * endpoint still answering non-browser GETs. test/browser/ runs the same pages in Chromium.
 */
import { getIntrospectionQuery } from 'graphql';
import { useTestDatabase } from './helpers/test-database';
import { SANDBOX_SCRIPT } from '../src/graphql/explorer';

const { server } = useTestDatabase({ server: true });
let origin: string;

beforeAll(async () => {
  origin = new URL(server.url).origin;
});

const getHtml = (path: string) =>
  fetch(origin + path, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-encoding': 'br' } });

/** The CSP header as a map of directive → sources. */
function directives(csp: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...v]) => [name, v]),
  );
}

const attributes = (html: string, tag: string, attribute: string) =>
  [...html.matchAll(new RegExp(`<${tag}\\b[^>]*\\b${attribute}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('the local explorer at /graphql', () => {
  it('is served to a browser with a strict nonce CSP that every script on the page carries', async () => {
    const res = await getHtml('/graphql');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp['default-src']).toEqual(["'none'"]);
    const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp['script-src'][0])?.[1];
    expect(nonce).toBeDefined();
    expect(csp['script-src']).not.toContain("'unsafe-inline'");
    expect(csp['script-src']).not.toContain("'unsafe-eval'");
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);

    const html = await res.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(2);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // A fresh nonce per response.
    const again = directives((await getHtml('/graphql')).headers.get('content-security-policy'));
    expect(again['script-src'][0]).not.toBe(csp['script-src'][0]);
  });

  it('loads nothing from another host, and every file it names is served here', async () => {
    const html = await (await getHtml('/graphql')).text();
    const named = [
      ...attributes(html, 'link', 'href'),
      ...attributes(html, 'script', 'src'),
      ...[...html.matchAll(/from "([^"]+)"/g)].map((m) => m[1]),
    ];
    // The favicon is an empty data: URL, so the page makes no request for one.
    expect(named.filter((u) => u.startsWith('data:'))).toEqual(['data:,']);
    const urls = named.filter((u) => !u.startsWith('data:'));
    expect(urls.length).toBeGreaterThan(1);
    for (const url of urls) expect(url).toMatch(/^\/explorer\/static\//);
    expect(html).not.toMatch(/(src|href)="https?:/);
    for (const url of new Set(urls)) {
      const res = await fetch(origin + url, { headers: { 'accept-encoding': 'identity' } });
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      expect(res.headers.get('content-type')).toMatch(url.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    // The Monaco workers the page starts (by name, from its inline script) are there too.
    for (const worker of ['editorWorker.js', 'graphqlWorker.js', 'jsonWorker.js']) {
      expect(html).toContain(`"${worker}"`);
      expect((await fetch(`${origin}/explorer/static/${worker}`)).status).toBe(200);
    }
  });

  it('answers a repeated static request by etag, and has no source maps or unknown files', async () => {
    const first = await fetch(`${origin}/explorer/static/ruru.js`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await fetch(`${origin}/explorer/static/ruru.js`, { headers: { 'if-none-match': etag! } })).status).toBe(
      304,
    );
    expect((await fetch(`${origin}/explorer/static/ruru.js.map`)).status).toBe(404);
    expect((await fetch(`${origin}/explorer/static/nothing-here.js`)).status).toBe(404);
  });

  it('opens on examples/queries.graphql, links to Sandbox and says where a token goes', async () => {
    const html = await (await getHtml('/graphql')).text();
    const config = JSON.parse(/const RURU_CONFIG = (\{[\s\S]*?\});\n/.exec(html)![1].replace(/<\\/g, '<'));
    expect(config.endpoint).toBe('/graphql');
    expect(config.initialQuery).toMatch(/^#[\s\S]*query ParticipantOverview/);
    expect(config.initialQuery.indexOf('query ParticipantOverview')).toBeLessThan(
      config.initialQuery.indexOf('query CleanWalkCycles'),
    );
    expect(config.isHeadersEditorEnabled).toBe(true);
    expect(html).toContain('href="/sandbox"');
    expect(html).toContain('{"Authorization": "Bearer &lt;token&gt;"}');
    expect(html).not.toContain('ae-sandbox-unavailable');
    expect(await (await getHtml('/graphql?sandbox=unavailable')).text()).toContain('id="ae-sandbox-unavailable"');
  });

  it('is not what a GraphQL client gets: GET without a browser Accept still goes to Apollo', async () => {
    const res = await fetch(`${origin}/graphql?query=${encodeURIComponent('{ studies { name } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as any).data.studies).toEqual([]);
  });
});

describe('the introspection an explorer runs', () => {
  it("GraphiQL's introspection query is within the default cost limit", async () => {
    const res = await server.post({
      query: getIntrospectionQuery({ schemaDescription: true, inputValueDeprecation: true }),
      operationName: 'IntrospectionQuery',
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.body.data.__schema.types.map((t: any) => t.name)).toContain('MovementCycle');
  });
});

describe('Apollo Sandbox at /sandbox', () => {
  it("allows Apollo's script and frame hosts and nothing else from outside, with a nonce for its own script", async () => {
    const res = await getHtml('/sandbox');
    expect(res.status).toBe(200);
    const csp = directives(res.headers.get('content-security-policy'));
    const nonce = /^'nonce-(.+)'$/.exec(csp['script-src'][0])?.[1];
    expect(csp['script-src']).toEqual([`'nonce-${nonce}'`, new URL(SANDBOX_SCRIPT).origin]);
    expect(csp['frame-src']).toEqual(['https://sandbox.embed.apollographql.com']);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['default-src']).toEqual(["'none'"]);
    const html = await res.text();
    for (const tag of html.match(/<(script|style)\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it('loads Sandbox with the examples, and otherwise falls back to the local explorer (which says why)', async () => {
    const html = await (await getHtml('/sandbox')).text();
    expect(html).toContain(JSON.stringify(SANDBOX_SCRIPT));
    expect(html).toContain('"/graphql?sandbox=unavailable"');
    expect(html).toContain('query ParticipantOverview');
    expect(html).toMatch(/script\.onerror = giveUp/);
    expect(html).toMatch(/setTimeout\(giveUp, \d+\)/);
    // The explorer is linked while Sandbox loads, so the page is never blank.
    expect(html).toMatch(/<a href="\/graphql">local explorer<\/a>/);
  });
});
