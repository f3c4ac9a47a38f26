/**
 * The browser pages at /graphql: the local explorer (Ruru, a GraphiQL distribution with the
 * click-through field explorer, docs, history and a Headers pane) served entirely from this
 * package, and Apollo Sandbox at /sandbox, which loads from Apollo's CDN.
 *
 * The local explorer is the default because it works the same with or without internet (a
 * hospital network that blocks CDNs, a laptop on a train) and runs no third-party code in this
 * origin, where a pasted token lives. Sandbox is one visible link away; when its CDN does not
 * answer, its page sends the browser back to the local explorer, which says why.
 *
 * Every page carries a per-response nonce and a Content-Security-Policy that allows only it,
 * this origin and, for Sandbox, Apollo's two hosts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { ruruHTML, type RuruClientConfig } from 'ruru/server';
import { projectRoot } from '../config';

/** Where the explorer's own scripts, styles, workers and font are served from. */
export const EXPLORER_STATIC_PATH = '/explorer/static/';
export const SANDBOX_PATH = '/sandbox';
/** Apollo's embeddable Sandbox, the major version @apollo/server 5 uses for its own landing page. */
export const SANDBOX_SCRIPT =
  'https://embeddable-sandbox.cdn.apollographql.com/v2/embeddable-sandbox.umd.production.min.js';
const SANDBOX_FRAME_ORIGIN = 'https://sandbox.embed.apollographql.com';
/** How long the Sandbox page waits for Apollo's CDN before it falls back (a dropped connection never errors). */
export const SANDBOX_LOAD_TIMEOUT_MS = 8_000;

/** Used when the examples folder is not shipped (e.g. a trimmed container image). */
const FALLBACK_DOCUMENT = `# What a participant has: one row per knee × maneuver.
query ParticipantOverview {
  participantOverview(study: AOA, number: 901001) {
    study participantNumber
    rows { knee maneuver audioRecordings audioQcFailed synchronizations cycles outlierCycles }
  }
}
`;

/** What an explorer opens on: the example queries of examples/queries.graphql, participant overview first. */
export function exampleDocument(): string {
  const file = join(projectRoot(), 'examples', 'queries.graphql');
  return existsSync(file) ? readFileSync(file, 'utf8') : FALLBACK_DOCUMENT;
}

export interface ExplorerOptions {
  /** Path of the GraphQL endpoint on this server. */
  endpoint: string;
  /** The document the explorers open on (examples/queries.graphql). */
  document: string;
}

const policy = (directives: Record<string, string>) =>
  Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');

const COMMON_DIRECTIVES = {
  'default-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  'object-src': "'none'",
};

/**
 * The local explorer's policy. Scripts: only the nonced ones and what they import
 * ('strict-dynamic'; 'self' is for browsers without it). Styles need 'unsafe-inline':
 * Monaco, the editor inside GraphiQL, adds <style> elements at run time and takes no nonce.
 */
export function explorerPolicy(nonce: string): string {
  return policy({
    ...COMMON_DIRECTIVES,
    'script-src': `'nonce-${nonce}' 'strict-dynamic' 'self'`,
    'style-src': "'self' 'unsafe-inline'",
    'font-src': "'self' data:",
    'img-src': "'self' data:",
    'connect-src': "'self'",
    'worker-src': "'self'",
  });
}

/** Sandbox's policy: its script from Apollo's CDN, its iframe from Apollo's embed host, requests to this origin. */
export function sandboxPolicy(nonce: string): string {
  return policy({
    ...COMMON_DIRECTIVES,
    'script-src': `'nonce-${nonce}' ${new URL(SANDBOX_SCRIPT).origin}`,
    'style-src': `'nonce-${nonce}'`,
    'img-src': "'self' data:",
    'connect-src': "'self'",
    'frame-src': SANDBOX_FRAME_ORIGIN,
  });
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
/** JSON that is safe inside a <script>: no `</script>`, `<!--` or U+2028/9 can end or bend it. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function sendPage(res: Response, csp: string, html: string): void {
  res.status(200);
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-security-policy', csp);
  // The nonce is per response: never serve a stored copy.
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.end(html);
}

const BAR_HEIGHT = '2rem';
const BAR_STYLE = `
  .ae-bar { box-sizing: border-box; height: ${BAR_HEIGHT}; display: flex; gap: 1.25rem; align-items: center;
    padding: 0 0.75rem; font: 13px/1.2 system-ui, sans-serif; background: #1b2240; color: #e8eaf2; white-space: nowrap; overflow: hidden; }
  .ae-bar a { color: #9fc3ff; }
  .ae-bar code { background: rgba(255,255,255,.12); padding: 0 .3em; border-radius: 3px; }
  .ae-bar .ae-notice { color: #ffd27a; }
  /* Ruru's Explain pane shows Grafast's plans and SQL, which only a Grafast server sends. */
  .graphiql-sidebar button[aria-label="Show Explain"] { display: none; }`;

/**
 * The local explorer: Ruru's page with our nonce on every script, a bar linking to
 * Sandbox, and the examples preloaded.
 */
export function explorerPage(o: ExplorerOptions & { nonce: string; sandboxUnavailable?: boolean }): string {
  const notice = o.sandboxUnavailable
    ? `<span class="ae-notice" id="ae-sandbox-unavailable">Apollo Sandbox could not be loaded (Apollo's CDN did not answer): this is the local explorer.</span>`
    : '';
  const bar = `<header class="ae-bar" id="ae-bar">
    <strong>Knee AE GraphQL</strong>
    <span>Local explorer (works offline)</span>
    ${notice}
    <span>To write: <em>Headers</em> → <code>{"Authorization": "Bearer &lt;token&gt;"}</code></span>
    <a href="${SANDBOX_PATH}" id="ae-open-sandbox">Open in Apollo Sandbox</a>
  </header>`;
  const clientConfig: Partial<RuruClientConfig> = {
    initialQuery: o.document,
    // Grafast's plan/SQL views need a Grafast server; this one is not.
    debugTools: [],
    isHeadersEditorEnabled: true,
    // Tokens stay out of localStorage unless the user ticks the setting.
    showPersistHeadersSettings: true,
  };
  const html = ruruHTML({
    endpoint: o.endpoint,
    staticPath: EXPLORER_STATIC_PATH,
    // ruru-types picks these props from graphiql's types, which this moduleResolution
    // cannot load (so all look required).
    clientConfig: clientConfig as RuruClientConfig,
    htmlParts: {
      titleTag: '<title>Knee AE GraphQL: explorer</title>',
      // No favicon request (it would be the only 404 of the page).
      metaTags: (original: string) => `${original}\n<link rel="icon" href="data:," />`,
      styleTags: (original: string) =>
        `${original.replace('height: 100vh;', `height: calc(100vh - ${BAR_HEIGHT});`)}\n<style>${BAR_STYLE}</style>`,
      bodyContent: (original: string) => `${bar}\n${original}`,
    },
  });
  return html.replace(/<script\b/g, `<script nonce="${o.nonce}"`);
}

/** Apollo Sandbox, and a way back to the local explorer when Apollo's CDN does not load. */
export function sandboxPage(o: ExplorerOptions & { nonce: string }): string {
  const fallback = `${o.endpoint}?sandbox=unavailable`;
  const config = {
    target: '#embeddableSandbox',
    initialState: { document: o.document, includeCookies: false },
    endpointIsEditable: false,
    hideCookieToggle: false,
    runTelemetry: false,
    // Its own <style> elements would carry no nonce, so the CSP would block them.
    allowDynamicStyles: false,
  };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>Knee AE GraphQL: Apollo Sandbox</title>
<style nonce="${o.nonce}">
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; }
  #ae-sandbox-status { padding: 1rem; }
  #embeddableSandbox { position: absolute; inset: 0; }
  #embeddableSandbox iframe { width: 100%; height: 100%; border: none; background: white; }
</style>
</head>
<body>
<p id="ae-sandbox-status">Loading Apollo Sandbox from Apollo's CDN… If it does not appear, use the
  <a href="${escapeHtml(o.endpoint)}">local explorer</a>, which works offline.</p>
<div id="embeddableSandbox"></div>
<script nonce="${o.nonce}">
(function () {
  var config = ${scriptJson(config)};
  var fallback = ${scriptJson(fallback)};
  var done = false;
  function giveUp() {
    if (done) return;
    done = true;
    window.location.replace(fallback);
  }
  var timer = setTimeout(giveUp, ${SANDBOX_LOAD_TIMEOUT_MS});
  var script = document.createElement('script');
  script.src = ${scriptJson(SANDBOX_SCRIPT)};
  script.onerror = giveUp;
  script.onload = function () {
    if (done) return;
    if (typeof window.EmbeddedSandbox !== 'function') return giveUp();
    done = true;
    clearTimeout(timer);
    document.getElementById('ae-sandbox-status').remove();
    config.initialEndpoint = new URL(${scriptJson(o.endpoint)}, window.location.href).href;
    new window.EmbeddedSandbox(config);
  };
  document.head.appendChild(script);
})();
</script>
</body>
</html>
`;
}

/**
 * GET with a browser's Accept: the explorer page rather than a GraphQL answer (as Apollo
 * decides for its landing page).
 */
function wantsHtml(req: Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

const newNonce = () => randomBytes(18).toString('base64');

const MIME_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  ttf: 'font/ttf',
  txt: 'text/plain; charset=utf-8',
};

interface StaticFile {
  contentType: string;
  etag: string;
  brotli: Buffer;
  plain(): Buffer;
}

let bundle: Record<string, { etag: string; buffer: Buffer }> | undefined;

/**
 * One of Ruru's files (brotli-compressed inside the package, about 4 MB, loaded on first
 * use). Read with require() rather than ruru/static's import(), which jest's VM cannot run;
 * source maps (another 10 MB) are left out.
 */
function staticFile(name: string): StaticFile | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's VM cannot run the import() (see above)
  bundle ??= require(join(dirname(require.resolve('ruru/static')), 'bundleCode.js')).bundleData as Record<
    string,
    { etag: string; buffer: Buffer }
  >;
  const entry = Object.hasOwn(bundle, name) ? bundle[name] : undefined;
  const contentType = MIME_TYPES[name.slice(name.lastIndexOf('.') + 1)];
  if (!entry || !contentType) return undefined;
  return { contentType, etag: entry.etag, brotli: entry.buffer, plain: () => decompressed(name, entry.buffer) };
}

const plainCopies = new Map<string, Buffer>();
/** For a client that does not take brotli: decompressed once per file and kept. */
function decompressed(name: string, brotli: Buffer): Buffer {
  let plain = plainCopies.get(name);
  if (!plain) plainCopies.set(name, (plain = brotliDecompressSync(brotli)));
  return plain;
}

/** The explorer pages and their static files; mount before the GraphQL endpoint. */
export function explorerRoutes(o: ExplorerOptions): Router {
  const router = Router();
  router.get(o.endpoint, (req: Request, res: Response, next: NextFunction) => {
    if (!wantsHtml(req)) return next();
    const nonce = newNonce();
    sendPage(
      res,
      explorerPolicy(nonce),
      explorerPage({ ...o, nonce, sandboxUnavailable: req.query.sandbox === 'unavailable' }),
    );
  });
  router.get(SANDBOX_PATH, (_req: Request, res: Response) => {
    const nonce = newNonce();
    sendPage(res, sandboxPolicy(nonce), sandboxPage({ ...o, nonce }));
  });
  router.get(`${EXPLORER_STATIC_PATH}*file`, (req: Request, res: Response, next: NextFunction) => {
    const file = staticFile(req.path.slice(EXPLORER_STATIC_PATH.length));
    if (!file) return next();
    res.setHeader('content-type', file.contentType);
    res.setHeader('etag', file.etag);
    res.setHeader('x-content-type-options', 'nosniff');
    // The files change only with the ruru version: revalidate by etag rather than guess a lifetime.
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('vary', 'accept-encoding');
    if (req.header('if-none-match') === file.etag) {
      res.status(304).end();
      return;
    }
    const brotli = /\bbr\b/.test(req.header('accept-encoding') ?? '');
    if (brotli) res.setHeader('content-encoding', 'br');
    res.status(200).end(brotli ? file.brotli : file.plain());
  });
  return router;
}
