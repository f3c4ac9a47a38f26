/** Plain HTTP POSTs over keep-alive loopback connections, timed from send to last byte. */
import http from 'node:http';

export interface Timed {
  status: number;
  body: string;
  ms: number;
}

export function agent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

export function post(
  url: string,
  payload: unknown,
  via: http.Agent,
  timeoutMs = 600_000,
  headers: Record<string, string> = {},
): Promise<Timed> {
  const data = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: via,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': data.length,
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** POST and parse; any HTTP error or GraphQL `errors` entry is a failure, with the server's message. */
export async function postJson(
  url: string,
  payload: unknown,
  via: http.Agent,
): Promise<{ json: any; ms: number; bytes: number }> {
  const r = await post(url, payload, via);
  let json: any;
  try {
    json = JSON.parse(r.body);
  } catch {
    throw new Error(`${url}: HTTP ${r.status}, not JSON: ${r.body.slice(0, 300)}`);
  }
  if (r.status !== 200 || json.errors?.length) {
    throw new Error(`${url}: HTTP ${r.status}: ${JSON.stringify(json.errors ?? json).slice(0, 500)}`);
  }
  return { json, ms: r.ms, bytes: Buffer.byteLength(r.body) };
}
