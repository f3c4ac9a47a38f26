/**
 * The operations questions an admin asks from Sandbox: `integrityReport` and `databaseStats`.
 * They return exactly what `ae-db integrity` and `ae-db stats` print: the same service
 * methods, the same SQL.
 */
import { Ctx, Field, Float, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { RequiresAccess } from '../access';
import { Inspection } from '../inspections';
import { INTEGRITY_REPORT_STATEMENTS } from '../../services/ops/integrity';
import { InspectionService } from '../../services/ops/inspection';

export const IntegrityCheckKind = { orphan: 'orphan', consistency: 'consistency' } as const;
registerEnumType(IntegrityCheckKind, {
  name: 'IntegrityCheckKind',
  description: 'orphan: a link to a row that does not exist (repairable by `ae-db integrity --fix`); consistency: a cross-record rule of the domain.',
});

@ObjectType({ description: 'One integrity check and the rows that break it.' })
export class IntegrityCheck {
  @Field(() => String, { description: 'Stable identifier, e.g. `audio_processing.participant_id` or `synchronization.total_cycles`.' })
  key: string;

  @Field(() => IntegrityCheckKind)
  kind: keyof typeof IntegrityCheckKind;

  @Field(() => String, { description: 'The table whose rows break the rule.' })
  table: string;

  @Field(() => String)
  description: string;

  @Field(() => Int, { description: 'Rows breaking the rule.' })
  count: number;

  @Field(() => [Int], { description: 'Up to five of their ids, smallest first.' })
  sampleIds: number[];

  @Field(() => Boolean, { description: 'Whether `ae-db integrity --fix` repairs it.' })
  fixable: boolean;
}

@ObjectType({ description: "The guide's orphan checks for every foreign key, and the cross-record rules of the domain." })
export class IntegrityReport {
  @Field(() => Boolean, { description: 'True when every check counts zero rows.' })
  ok: boolean;

  @Field(() => Int, { description: 'Rows breaking a rule, over all checks.' })
  problems: number;

  @Field(() => [IntegrityCheck])
  checks: IntegrityCheck[];
}

@ObjectType({ description: 'Size and row count of one table of the public schema.' })
export class TableStats {
  @Field(() => String)
  table: string;

  @Field(() => Float, { description: 'Exact row count.' })
  rows: number;

  @Field(() => Float, { description: "The planner's estimate (pg_class.reltuples; -1 before the first ANALYZE)." })
  rowEstimate: number;

  @Field(() => Float, { description: 'Table, indexes and TOAST together, in bytes (pg_total_relation_size).' })
  totalBytes: number;

  @Field(() => String, { description: 'totalBytes as pg_size_pretty writes it.' })
  totalSize: string;

  @Field(() => Float)
  tableBytes: number;

  @Field(() => Float)
  indexBytes: number;

  @Field(() => Int)
  indexCount: number;
}

@ObjectType({ description: 'One index of the public schema.' })
export class IndexStats {
  @Field(() => String)
  table: string;

  @Field(() => String)
  name: string;

  @Field(() => String, { description: 'CREATE INDEX statement (pg_indexes.indexdef).' })
  definition: string;

  @Field(() => Float)
  bytes: number;

  @Field(() => String)
  size: string;

  @Field(() => Float, { description: 'Index scans since the statistics were last reset.' })
  scans: number;

  @Field(() => Boolean)
  unique: boolean;

  @Field(() => Boolean)
  primary: boolean;
}

@ObjectType({ description: "The guide's performance queries: database size, table sizes, indexes." })
export class DatabaseStats {
  @Field(() => String)
  database: string;

  @Field(() => Float, { description: 'pg_database_size, in bytes.' })
  bytes: number;

  @Field(() => String)
  size: string;

  @Field(() => [TableStats], { description: 'Largest first.' })
  tables: TableStats[];

  @Field(() => [IndexStats])
  indexes: IndexStats[];

  @Field(() => [String], { description: 'Foreign-key columns (`table.column`) that no index starts with; empty when all are indexed.' })
  unindexedForeignKeys: string[];
}

@Resolver()
export class OperationsQueries {
  @Query(() => IntegrityReport, { description: 'Orphaned rows and cross-record inconsistencies, one entry per check (as `ae-db integrity`).' })
  @RequiresAccess('read')
  @Inspection(INTEGRITY_REPORT_STATEMENTS)
  integrityReport(@Ctx() { services }: GraphQLContext): Promise<IntegrityReport> {
    return services.integrity.report();
  }

  @Query(() => DatabaseStats, { description: 'Database size, rows and size per table, and indexes (as `ae-db stats`).' })
  @RequiresAccess('read')
  @Inspection(InspectionService.DATABASE_STATS_STATEMENTS)
  databaseStats(@Ctx() { services }: GraphQLContext): Promise<DatabaseStats> {
    return services.inspection.databaseStats();
  }
}
