/**
 * Per-request batching. Every relationship field goes through one of two loaders, so a
 * query nesting k levels runs one SQL statement per level whatever the number of rows:
 *  - `byId(Entity)`: parents by primary key (`movementCycle.synchronization`, …);
 *  - `children(Entity, fk)`: all rows whose foreign key is in the batch (`participant.audioProcessings`, …).
 */
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityName, FilterQuery } from '@mikro-orm/core';

type WithId = { id: number };

export class Loaders {
  private readonly cache = new Map<string, DataLoader<number, unknown>>();

  constructor(private readonly em: EntityManager) {}

  byId<T extends WithId>(entity: EntityName<T> & { name: string }): DataLoader<number, T | null> {
    return this.memo(`${entity.name}#id`, async (ids) => {
      const rows = await this.em.find(entity, { id: { $in: [...ids] } } as unknown as FilterQuery<T>);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }

  /** Rows of `entity` whose relation `fk` points at each given parent id, ordered by id. */
  children<T extends WithId>(entity: EntityName<T> & { name: string }, fk: keyof T & string): DataLoader<number, T[]> {
    return this.memo(`${entity.name}.${fk}`, async (parentIds) => {
      const rows = await this.em.find(entity, { [fk]: { $in: [...parentIds] } } as unknown as FilterQuery<T>, { orderBy: { id: 'asc' } as any });
      const groups = new Map<number, T[]>(parentIds.map((id) => [id, []]));
      for (const row of rows) groups.get((row[fk] as unknown as WithId).id)?.push(row);
      return parentIds.map((id) => groups.get(id) ?? []);
    });
  }

  private memo<V>(key: string, batch: (keys: readonly number[]) => Promise<V[]>): DataLoader<number, V> {
    let loader = this.cache.get(key) as DataLoader<number, V> | undefined;
    if (!loader) {
      loader = new DataLoader<number, V>(batch, { maxBatchSize: 10_000 });
      this.cache.set(key, loader as DataLoader<number, unknown>);
    }
    return loader;
  }
}
