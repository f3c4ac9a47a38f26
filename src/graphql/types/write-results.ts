/** What the write and admin mutations return. */
import { Field, Int, ObjectType } from 'type-graphql';
import { AudioProcessing, BiomechanicsImport, TABLES, type TableName } from '../../entities';
import type { TableCounts } from '../../services/seed/seed';

/** A table's field in TableCounts: its name in camelCase (`audio_processing` is `audioProcessing`). */
const countField = (table: TableName) => table.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

@ObjectType('TableCounts', { description: 'Rows per table: written by a seed, or removed by a delete or reset.' })
export class TableCountsType {
  static from(counts: TableCounts): TableCountsType {
    return Object.assign(
      new TableCountsType(),
      Object.fromEntries(TABLES.map((table) => [countField(table), counts[table]])),
    );
  }
}
for (const table of TABLES) Field(() => Int)(TableCountsType.prototype, countField(table));

@ObjectType('MovementCycleBatch', { description: 'The outcome of one upsertMovementCycles call.' })
export class MovementCycleBatchType {
  @Field(() => Int, { description: 'Cycles written.' }) count!: number;
  @Field(() => Int, { description: 'Of which new.' }) inserted!: number;
  @Field(() => Int, { description: 'Of which already there, updated in place.' }) updated!: number;
  @Field(() => [Int], { description: 'Ids of the cycles, in input order.' }) ids!: number[];
}

@ObjectType('IngestCounts', { description: 'What ingestRecording did to the rows of one table.' })
export class IngestCountsType {
  @Field(() => Int, { description: 'New rows.' }) inserted!: number;
  @Field(() => Int, { description: 'Rows already there with some value changed.' }) updated!: number;
  @Field(() => Int, { description: 'Rows already there exactly as sent: not written (their updatedAt did not move).' })
  unchanged!: number;
  @Field(() => Int, { description: 'Rows of this recording no longer produced, removed.' }) deleted!: number;
}

@ObjectType('IngestResult', { description: 'The outcome of one ingestRecording call.' })
export class IngestResultType {
  @Field(() => Int) audioProcessingId!: number;
  @Field(() => Int, { nullable: true }) biomechanicsImportId!: number | null;
  @Field(() => [Int], { description: 'Ids of the synchronizations, in input order.' }) synchronizationIds!: number[];
  @Field(() => IngestCountsType) audioProcessing!: IngestCountsType;
  @Field(() => IngestCountsType) biomechanicsImport!: IngestCountsType;
  @Field(() => IngestCountsType) synchronization!: IngestCountsType;
  @Field(() => IngestCountsType) movementCycles!: IngestCountsType;
}

@ObjectType('RecordingLink', { description: 'The two records linkRecordings touched, as they are now.' })
export class RecordingLinkType {
  @Field(() => AudioProcessing, { nullable: true }) audioProcessing!: AudioProcessing | null;
  @Field(() => BiomechanicsImport, { nullable: true }) biomechanicsImport!: BiomechanicsImport | null;
}

@ObjectType('ExecutedMigration')
export class ExecutedMigrationType {
  @Field(() => String) name!: string;
  @Field(() => Date, { nullable: true }) executedAt!: Date | null;
}

@ObjectType('MigrationStatus', { description: 'Where the database schema stands (ae-db status / history / check).' })
export class MigrationStatusType {
  @Field(() => String, { nullable: true, description: 'The newest applied migration; null at base.' }) current!:
    string | null;
  @Field(() => String, { nullable: true, description: 'The newest migration this server knows.' }) head!: string | null;
  @Field(() => [ExecutedMigrationType], { description: 'Applied migrations with when they ran, oldest first.' })
  executed!: ExecutedMigrationType[];
  @Field(() => [String], { description: 'Known migrations not applied yet, in the order they would run.' })
  pending!: string[];
  @Field(() => [String], { description: 'Applied migrations this server does not know (a newer code base ran them).' })
  unknown!: string[];
}

@ObjectType('SchemaCheck', { description: 'ae-db check: do the entities and the migrated schema agree?' })
export class SchemaCheckType {
  @Field(() => Boolean, { description: 'True when no migration is pending and the entities need no further DDL.' })
  ok!: boolean;
  @Field(() => [String], { description: 'SQL the entities would still need; empty when they agree.' })
  differences!: string[];
}

@ObjectType('MigrationRun', { description: 'What migrate or rollback ran, and the status after it.' })
export class MigrationRunType {
  @Field(() => [String], { description: 'Migrations applied (migrate) or reverted (rollback), in the order they ran.' })
  migrations!: string[];
  @Field(() => MigrationStatusType) status!: MigrationStatusType;
}
