/**
 * Per-request batching. Every relationship field goes through one of two loaders, so a
 * query nesting k levels runs one SQL statement per level whatever the number of rows:
 *  - `byId(Entity)`: parents by primary key (`movementCycle.synchronization`, …);
 *  - `children(Entity, relation)`: all rows whose foreign key is in the batch (`participant.audioProcessings`, …).
 * Both return read-only rows (see RowReader) with only the columns the query selects, so a
 * loader is keyed by the selection too: siblings select the same fields and share a batch.
 */
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLResolveInfo } from 'graphql';
import { RowReader, type ReadRow } from '../services/read-rows';
import { selectedFields } from './selection';

type Selection = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

export class Loaders {
  private readonly cache = new Map<string, DataLoader<number, unknown>>();
  private readonly reader: RowReader;

  constructor(em: EntityManager) {
    this.reader = new RowReader(em);
  }

  byId(entity: { name: string }, info: Selection): DataLoader<number, ReadRow | null> {
    const fields = selectedFields(info);
    return this.memo(`${entity.name}#id|${fields.join(',')}`, async (ids) => {
      const rows = await this.reader.byIds(entity.name, ids, fields);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }

  /** Rows of `entity` whose relation `relation` points at each given parent id, ordered by id. */
  children(entity: { name: string }, relation: string, info: Selection): DataLoader<number, ReadRow[]> {
    const fields = selectedFields(info);
    const fkField = `${relation}Id`;
    return this.memo(`${entity.name}.${relation}|${fields.join(',')}`, async (parentIds) => {
      const rows = await this.reader.byParent(entity.name, relation, parentIds, fields);
      const groups = new Map<number, ReadRow[]>(parentIds.map((id) => [id, []]));
      for (const row of rows) groups.get(row[fkField] as number)?.push(row);
      return parentIds.map((id) => groups.get(id) ?? []);
    });
  }

  private memo<V>(key: string, batch: (keys: readonly number[]) => Promise<V[]>): DataLoader<number, V> {
    let loader = this.cache.get(key) as DataLoader<number, V> | undefined;
    if (!loader) {
      // The whole list is one batch: a level of the tree can have tens of thousands of parents.
      loader = new DataLoader<number, V>(batch, { maxBatchSize: 100_000 });
      this.cache.set(key, loader as DataLoader<number, unknown>);
    }
    return loader;
  }
}
