/** Result types of the operations queries (computed by src/services/ops/integrity.ts and inspection.ts). */
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { IntegrityCheckResult, IntegrityReport as IntegrityReportValue } from '../../services/ops/integrity';
import type {
  DatabaseStats as DatabaseStatsValue,
  IndexStats as IndexStatsValue,
  TableStats as TableStatsValue,
} from '../../services/ops/inspection';
import type { TableName } from '../../entities';

export const IntegrityCheckKind = { orphan: 'orphan', consistency: 'consistency' } as const;
registerEnumType(IntegrityCheckKind, {
  name: 'IntegrityCheckKind',
  description:
    'orphan: a link to a row that does not exist (repairable by `ae-db integrity --fix`); consistency: a cross-record rule of the domain.',
});

@ObjectType({ description: 'One integrity check and the rows that break it.' })
export class IntegrityCheck implements IntegrityCheckResult {
  @Field(() => String, {
    description: 'Stable identifier, e.g. `audio_processing.participant_id` or `synchronization.total_cycles`.',
  })
  key!: string;

  @Field(() => IntegrityCheckKind) kind!: keyof typeof IntegrityCheckKind;
  @Field(() => String, { description: 'The table whose rows break the rule.' }) table!: TableName;
  @Field(() => String) description!: string;
  @Field(() => Int, { description: 'Rows breaking the rule.' }) count!: number;
  @Field(() => [Int], { description: 'Up to five of their ids, smallest first.' }) sampleIds!: number[];
  @Field(() => Boolean, { description: 'Whether `ae-db integrity --fix` repairs it.' }) fixable!: boolean;
}

@ObjectType({
  description: "The guide's orphan checks for every foreign key, and the cross-record rules of the domain.",
})
export class IntegrityReport implements IntegrityReportValue {
  @Field(() => Boolean, { description: 'True when every check counts zero rows.' }) ok!: boolean;
  @Field(() => Int, { description: 'Rows breaking a rule, over all checks.' }) problems!: number;
  @Field(() => [IntegrityCheck]) checks!: IntegrityCheck[];
}

@ObjectType({ description: 'Size and row count of one table of the public schema.' })
export class TableStats implements TableStatsValue {
  @Field(() => String) table!: string;
  @Field(() => Float, { description: 'Exact row count.' }) rows!: number;
  @Field(() => Float, { description: "The planner's estimate (pg_class.reltuples; -1 before the first ANALYZE)." })
  rowEstimate!: number;
  @Field(() => Float, { description: 'Table, indexes and TOAST together, in bytes (pg_total_relation_size).' })
  totalBytes!: number;
  @Field(() => String, { description: 'totalBytes as pg_size_pretty writes it.' }) totalSize!: string;
  @Field(() => Float) tableBytes!: number;
  @Field(() => Float) indexBytes!: number;
  @Field(() => Int) indexCount!: number;
}

@ObjectType({ description: 'One index of the public schema.' })
export class IndexStats implements IndexStatsValue {
  @Field(() => String) table!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'CREATE INDEX statement (pg_indexes.indexdef).' }) definition!: string;
  @Field(() => Float) bytes!: number;
  @Field(() => String) size!: string;
  @Field(() => Float, { description: 'Index scans since the statistics were last reset.' }) scans!: number;
  @Field(() => Boolean) unique!: boolean;
  @Field(() => Boolean) primary!: boolean;
}

@ObjectType({ description: "The guide's performance queries: database size, table sizes, indexes." })
export class DatabaseStats implements DatabaseStatsValue {
  @Field(() => String) database!: string;
  @Field(() => Float, { description: 'pg_database_size, in bytes.' }) bytes!: number;
  @Field(() => String) size!: string;
  @Field(() => [TableStats], { description: 'Largest first.' }) tables!: TableStats[];
  @Field(() => [IndexStats]) indexes!: IndexStats[];

  @Field(() => [String], {
    description: 'Foreign-key columns (`table.column`) that no index starts with; empty when all are indexed.',
  })
  unindexedForeignKeys!: string[];
}
