/**
 * Per-request batching. Every relationship field goes through one of two loaders, so a
 * query nesting k levels runs one SQL statement per level whatever the number of rows:
 *  - `byId(kind)`: parents by primary key (`movementCycle.synchronization`, …);
 *  - `related(kind, relation, args)`: rows whose link points at any parent in the batch
 *    (`participant.audioProcessings(filter: …)`), one loader per (relation, filter, order).
 * Keys carry the fields the selection needs; one batch fetches the union of them.
 */
import DataLoader from 'dataloader';
import type { ReadService, RecordKind, Row } from '../services/read';
import type { RelatedArgsValue } from './types/inputs';

export interface LoadKey {
  id: number;
  /** Sorted read-layer field names. */
  fields: readonly string[];
}

const cacheKey = (k: LoadKey) => `${k.id}|${k.fields.join(',')}`;

/** JSON with object keys sorted, so equal arguments give equal loader keys. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .filter((k) => v[k] !== undefined)
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

function union(keys: readonly LoadKey[]): string[] {
  return [...new Set(keys.flatMap((k) => k.fields))];
}

export class Loaders {
  private readonly cache = new Map<string, DataLoader<LoadKey, unknown, string>>();

  constructor(private readonly read: ReadService) {}

  byId(kind: RecordKind): DataLoader<LoadKey, Row | null, string> {
    return this.memo(`${kind}#id`, async (keys) => {
      const rows = await this.read.byIds(kind, [...new Set(keys.map((k) => k.id))], union(keys));
      return keys.map((k) => rows.get(k.id) ?? null);
    });
  }

  related(kind: RecordKind, relation: string, args: RelatedArgsValue<object>): DataLoader<LoadKey, Row[], string> {
    const signature = stableJson({ filter: args.filter ?? null, orderBy: args.orderBy ?? null });
    return this.memo(`${kind}.${relation}|${signature}`, async (keys) => {
      const groups = await this.read.related(kind, relation, [...new Set(keys.map((k) => k.id))], {
        filter: args.filter,
        orderBy: args.orderBy,
        fields: union(keys),
      });
      return keys.map((k) => groups.get(k.id) ?? []);
    });
  }

  private memo<V>(key: string, batch: (keys: readonly LoadKey[]) => Promise<V[]>): DataLoader<LoadKey, V, string> {
    let loader = this.cache.get(key) as DataLoader<LoadKey, V, string> | undefined;
    if (!loader) {
      // No maxBatchSize: ids travel as one array parameter, so any batch is one statement.
      loader = new DataLoader<LoadKey, V, string>(batch, { cacheKeyFn: cacheKey });
      this.cache.set(key, loader as DataLoader<LoadKey, unknown, string>);
    }
    return loader;
  }
}
