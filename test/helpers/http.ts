/**
 * A real HTTP server on an ephemeral port for a test context, with its logs captured.
 */
import { Writable } from 'node:stream';
import { startApp, type RunningApp } from '../../src/app';
import type { AppContext } from '../../src/context';
import { createLogger } from '../../src/logger';

export interface TestServer extends RunningApp {
  logs: Record<string, any>[];
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function startTestServer(ctx: AppContext): Promise<TestServer> {
  const logs: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const app = await startApp(ctx, 0, '127.0.0.1', { logger: createLogger('info', sink) });
  return {
    ...app,
    logs,
    async post(body, headers = {}) {
      const res = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text for the assertion message
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

/**
 * POSTs one GraphQL request to a test server: its status, the body exactly as sent (the
 * compiled path's bytes), and the log lines the server wrote for this request alone.
 */
export async function postGraphQL(
  server: TestServer,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ status: number; text: string; logs: Record<string, any>[] }> {
  const before = server.logs.length;
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, text, logs: server.logs.slice(before) };
}
