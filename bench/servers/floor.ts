/**
 * The floor: for each workload one hand-written SQL statement that builds the whole JSON
 * answer inside PostgreSQL, passed through a minimal node:http handler untouched. Nothing
 * an API server does can be cheaper than this; the gap to it is the API's own cost.
 *   POST /w1  {}                          → FLOOR_SQL.W1
 *   POST /w2  { study, after, first }     → FLOOR_SQL.W2 (after: the previous endCursor, or null)
 *   POST /w3  { study, number }           → FLOOR_SQL.W3
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { FLOOR_SQL, W2_PAGE_SIZE } from '../workloads';
import { announce, databaseUrl, fail, listen } from './child';

const pool = new Pool({ connectionString: databaseUrl(), max: 10, application_name: 'bench floor' });

function params(path: string, body: any): unknown[] | undefined {
  switch (path) {
    case '/w1':
      return [];
    case '/w2':
      return [body.study, body.after ? Number(body.after) : 0, body.first ?? W2_PAGE_SIZE];
    case '/w3':
      return [body.study, body.number];
    default:
      return undefined;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const path = req.url ?? '';
  const values = params(path, chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
  if (!values) {
    res.writeHead(404).end();
    return;
  }
  const sql = FLOOR_SQL[path.slice(1).toUpperCase() as keyof typeof FLOOR_SQL];
  const { rows } = await pool.query({ text: sql, values });
  const body = rows[0].body as string;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

async function main() {
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ message: String(e?.message ?? e) }] }));
    });
  });
  await listen(server);
  await announce(server, () => pool.end());
}

main().catch(fail);
