import { PrimaryKey } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { CreatedTimestampColumn, EnumColumn, TextColumn, UpdatedTimestampColumn } from './columns';
import { ProcessingStatus } from './enums';

/** `id serial primary key` and `created_at`, which every table has. */
// Decorated so subclasses inherit its fields; type-graphql 2 does not emit it on its own (not referenced).
// simpleResolvers: every scalar field is a plain property read (no middlewares or auth here),
// so type-graphql need not wrap each one in a resolver; for a tree of 80k rows that wrapper
// ran about a million times per request.
@ObjectType({ simpleResolvers: true })
export abstract class BaseRecord {
  @Field(() => Int)
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @CreatedTimestampColumn({ description: 'When the row was first written.', orderable: true })
  createdAt: Date = new Date();
}

/**
 * The bookkeeping columns shared by the four processing tables (audio, biomechanics,
 * synchronization, cycles). `updated_at` is also maintained by a database trigger, so
 * it moves on every UPDATE whoever the writer is (this API or the Python pipeline).
 */
@ObjectType({ simpleResolvers: true })
export abstract class ProcessingRecord extends BaseRecord {
  @UpdatedTimestampColumn({ description: 'When the row was last changed.', orderable: true })
  updatedAt: Date = new Date();

  @CreatedTimestampColumn({ writable: true, orderable: true })
  processingDate: Date = new Date();

  @EnumColumn(ProcessingStatus, { default: ProcessingStatus.not_processed, orderable: true })
  processingStatus: ProcessingStatus = ProcessingStatus.not_processed;

  @TextColumn()
  errorMessage?: string | null;
}
