/**
 * A closed-loop load generator: N keep-alive connections on loopback, each sending its next
 * request as soon as the previous answer has arrived, until the time or the request budget
 * runs out (both bounded). Every answer is checked: HTTP 200 and no GraphQL `errors`.
 */
import { agent, post } from './http';

export interface LoadResult {
  requests: number;
  failures: number;
  firstFailure?: string;
  seconds: number;
  latenciesMs: number[];
}

export async function closedLoop(o: {
  url: string;
  connections: number;
  durationMs: number;
  maxRequests: number;
  payload: (i: number) => unknown;
}): Promise<LoadResult> {
  const via = agent(o.connections);
  const started = Date.now();
  const deadline = started + o.durationMs;
  const latenciesMs: number[] = [];
  let issued = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const worker = async () => {
    while (Date.now() < deadline && issued < o.maxRequests) {
      const i = issued++;
      try {
        const r = await post(o.url, o.payload(i), via, 30_000);
        if (r.status !== 200 || r.body.startsWith('{"errors"') || r.body.includes('"errors":[')) {
          failures++;
          firstFailure ??= `HTTP ${r.status}: ${r.body.slice(0, 300)}`;
        } else latenciesMs.push(r.ms);
      } catch (e) {
        failures++;
        firstFailure ??= String((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  via.destroy();
  return { requests: issued, failures, firstFailure, seconds: (Date.now() - started) / 1000, latenciesMs };
}
