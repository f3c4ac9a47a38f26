/**
 * GraphQL inputs of the read API: filters, ranges and orderings. Each filter input
 * `implements` the plain filter interface of src/services/read/filters.ts, which checks
 * and applies it; a test keeps the two field lists equal. List-typed fields accept a
 * single value too (GraphQL input coercion): `maneuver: walk` ≡ `maneuver: [walk]`.
 */
import { ArgsType, Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import {
  BiomechanicsSyncMethod,
  BiomechanicsType,
  Knee,
  Maneuver,
  ProcessingStatus,
  StudyName,
  SyncMethod,
  WalkSpeed,
} from '../../entities/enums';
import type {
  AudioProcessingFilter,
  BiomechanicsImportFilter,
  FloatRange,
  MovementCycleFilter,
  OrderSpec,
  ParticipantFilter,
  RecordKind,
  SynchronizationFilter,
  TimeRange,
} from '../../services/read';
import { DEFAULT_PAGE_SIZE, FIELD_ALIASES, MAX_PAGE_SIZE, ORDER_FIELDS } from '../../services/read';
import { deprecatedFields } from '../participant-number';
import { LIST_KINDS, RECORD_TYPES, type ListKind } from './record-types';

// A mixin's base must take `any[]` (TS2545), and the filter mixins below extend their base.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor<T = object> = new (...args: any[]) => T;

@InputType('FloatRange', { description: 'Inclusive bounds; leave either out.' })
export class FloatRangeInput implements FloatRange {
  @Field(() => Float, { nullable: true }) min?: number | null;
  @Field(() => Float, { nullable: true }) max?: number | null;
}

@InputType('DateTimeRange', {
  description: 'Inclusive bounds (ISO-8601 date-times, e.g. 2024-03-01T00:00:00Z); leave either out.',
})
export class DateTimeRangeInput implements TimeRange {
  @Field(() => Date, { nullable: true }) from?: Date | null;
  @Field(() => Date, { nullable: true }) to?: Date | null;
}

// --- Filter building blocks (abstract: they only lend their fields) ---------------------

@InputType() // lends its fields only: never referenced, so never emitted
class ScopeFields {
  @Field(() => [Int], { nullable: true, description: 'Only these record ids.' })
  id?: number[] | null;

  @Field(() => [StudyName], { nullable: true, description: 'Only these studies.' })
  study?: StudyName[] | null;

  @Field(() => [Int], {
    nullable: true,
    description: 'Only these participant numbers (1011 for #AOA1011); combine with study.',
  })
  participantNumber?: number[] | null;
}

@InputType() // lends its fields only: never referenced, so never emitted
class RecordingFields extends ScopeFields {
  @Field(() => [Knee], { nullable: true }) knee?: Knee[] | null;
  @Field(() => [Maneuver], { nullable: true }) maneuver?: Maneuver[] | null;
  @Field(() => [ProcessingStatus], { nullable: true }) processingStatus?: ProcessingStatus[] | null;
  @Field(() => DateTimeRangeInput, { nullable: true }) processingDate?: DateTimeRangeInput | null;

  @Field(() => DateTimeRangeInput, {
    nullable: true,
    description: "The audio recording's date (for biomechanics, synchronizations and cycles: of their audio record).",
  })
  recordingDate?: DateTimeRangeInput | null;
}

function WithAudioQc<TBase extends Constructor>(Base: TBase) {
  const of = ' (for synchronizations and cycles: of their audio record)';
  @InputType() // lends its fields only: never referenced, so never emitted
  class AudioQcFields extends Base {
    @Field(() => Boolean, { nullable: true, description: `Audio QC failed overall${of}.` })
    audioQcFail?: boolean | null;

    @Field(() => Boolean, {
      nullable: true,
      description: `Audio QC failed on any of channels 1–4 (false: on none)${of}.`,
    })
    audioQcFailAnyChannel?: boolean | null;

    @Field(() => [Int], { nullable: true, description: `Audio QC failed on any of these channels (1–4)${of}.` })
    audioQcFailChannel?: number[] | null;

    @Field(() => Boolean, { nullable: true, description: `Signal dropout detected${of}.` })
    qcSignalDropout?: boolean | null;

    @Field(() => [Int], { nullable: true, description: `Signal dropout on any of these channels (1–4)${of}.` })
    qcSignalDropoutChannel?: number[] | null;

    @Field(() => Boolean, { nullable: true, description: `Artifact detected${of}.` })
    qcArtifact?: boolean | null;

    @Field(() => [Int], { nullable: true, description: `Artifact on any of these channels (1–4)${of}.` })
    qcArtifactChannel?: number[] | null;
  }
  return AudioQcFields;
}

function WithBiomechanicsFacts<TBase extends Constructor>(Base: TBase) {
  const of = ' (for audio, synchronizations and cycles: of the linked biomechanics import)';
  @InputType() // lends its fields only: never referenced, so never emitted
  class BiomechanicsFactsFields extends Base {
    @Field(() => [BiomechanicsType], { nullable: true, description: `Biomechanics system${of}.` })
    biomechanicsType?: BiomechanicsType[] | null;

    @Field(() => [BiomechanicsSyncMethod], {
      nullable: true,
      description: `How the biomechanics marks the sync event${of}.`,
    })
    biomechanicsSyncMethod?: BiomechanicsSyncMethod[] | null;

    @Field(() => Boolean, {
      nullable: true,
      description: `Biomechanics QC failed${of}; a cycle uses its own copy of the flag.`,
    })
    biomechanicsQcFail?: boolean | null;
  }
  return BiomechanicsFactsFields;
}

function WithWalkPass<TBase extends Constructor>(Base: TBase) {
  @InputType() // lends its fields only: never referenced, so never emitted
  class WalkPassFields extends Base {
    @Field(() => [Int], {
      nullable: true,
      description: 'Walk pass numbers (fe and sts rows have none and never match).',
    })
    passNumber?: number[] | null;

    @Field(() => [WalkSpeed], {
      nullable: true,
      description: 'Walk speeds (fe and sts rows have none and never match).',
    })
    speed?: WalkSpeed[] | null;
  }
  return WalkPassFields;
}

function WithSyncFacts<TBase extends Constructor>(Base: TBase) {
  @InputType() // lends its fields only: never referenced, so never emitted
  class SyncFactsFields extends Base {
    @Field(() => [SyncMethod], {
      nullable: true,
      description: 'Synchronization method (for cycles: of their synchronization).',
    })
    syncMethod?: SyncMethod[] | null;

    @Field(() => Boolean, {
      nullable: true,
      description: 'Synchronization QC failed (a cycle uses its own copy of the flag).',
    })
    syncQcFail?: boolean | null;
  }
  return SyncFactsFields;
}

// --- The filters --------------------------------------------------------------------------

@InputType('ParticipantFilter', { description: 'Conditions on participants; all given ones must hold.' })
export class ParticipantFilterInput extends ScopeFields implements ParticipantFilter {
  @Field(() => Boolean, { nullable: true, description: 'Has at least one biomechanics import (false: none).' })
  hasBiomechanics?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Has at least one synchronization (false: none).' })
  hasSynchronization?: boolean | null;
}

@InputType('AudioProcessingFilter', { description: 'Conditions on audio recordings; all given ones must hold.' })
export class AudioProcessingFilterInput
  extends WithBiomechanicsFacts(WithAudioQc(RecordingFields))
  implements AudioProcessingFilter
{
  @Field(() => FloatRangeInput, { nullable: true, description: 'Recording length in seconds.' })
  durationSeconds?: FloatRangeInput | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Linked to the biomechanics recorded at the same time (false: not linked).',
  })
  hasBiomechanics?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Used by at least one synchronization (false: by none).' })
  hasSynchronization?: boolean | null;
}

@InputType('BiomechanicsImportFilter', { description: 'Conditions on biomechanics imports; all given ones must hold.' })
export class BiomechanicsImportFilterInput
  extends WithBiomechanicsFacts(RecordingFields)
  implements BiomechanicsImportFilter
{
  @Field(() => Boolean, { nullable: true, description: 'Used by at least one synchronization (false: by none).' })
  hasSynchronization?: boolean | null;
}

@InputType('SynchronizationFilter', { description: 'Conditions on synchronizations; all given ones must hold.' })
export class SynchronizationFilterInput
  extends WithSyncFacts(WithWalkPass(WithBiomechanicsFacts(WithAudioQc(RecordingFields))))
  implements SynchronizationFilter {}

@InputType('MovementCycleFilter', { description: 'Conditions on movement cycles; all given ones must hold.' })
export class MovementCycleFilterInput
  extends WithSyncFacts(WithWalkPass(WithBiomechanicsFacts(WithAudioQc(RecordingFields))))
  implements MovementCycleFilter
{
  @Field(() => Boolean, { nullable: true, description: 'Flagged as an outlier cycle.' })
  isOutlier?: boolean | null;

  @Field(() => FloatRangeInput, { nullable: true, description: 'Cycle duration in seconds.' })
  durationS?: FloatRangeInput | null;

  @Field(() => Boolean, { nullable: true, description: 'Cut from a synchronization (false: not linked to one).' })
  hasSynchronization?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Linked to a biomechanics import (false: audio only).' })
  hasBiomechanics?: boolean | null;
}

// --- Ordering -----------------------------------------------------------------------------

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection', description: 'ASC puts nulls last, DESC puts them first.' });

/**
 * `…OrderField` enum of a list: the fields ORDER_FIELDS allows, spelled as in the record type. A
 * field's newer name (FIELD_ALIASES) is a value of its own with the same internal value, so
 * both order, and page with the same cursors, alike; the older one is deprecated.
 */
function orderFieldEnum(kind: RecordKind, name: string): Record<string, string> {
  const values: Record<string, string> = Object.fromEntries(ORDER_FIELDS[kind].map((f) => [f, f]));
  for (const [alias, of] of Object.entries(FIELD_ALIASES[kind] ?? {})) if (of in values) values[alias] = of;
  const valuesConfig = Object.fromEntries(
    [...deprecatedFields(kind)]
      .filter(([f]) => f in values)
      .map(([f, deprecationReason]) => [f, { deprecationReason }]),
  );
  const description = 'Fields this list can be ordered by; id always breaks ties.';
  registerEnumType(values, { name, description, valuesConfig });
  return values;
}

function orderInput(kind: RecordKind, name: string) {
  const fieldEnum = orderFieldEnum(kind, `${name}Field`);
  @InputType(name, { description: 'One ordering key; list several to break ties (id always ends the order).' })
  class OrderInput implements OrderSpec {
    @Field(() => fieldEnum) field!: string;
    @Field(() => SortDirection, { defaultValue: SortDirection.ASC }) direction!: SortDirection;
  }
  return OrderInput;
}

// --- Argument sets ------------------------------------------------------------------------

/** `filter` and `orderBy`, as relationship list fields take them. */
function relatedArgs<F>(filter: Constructor<F>, order: Constructor<OrderSpec>) {
  @ArgsType()
  class RelatedArgs {
    @Field(() => filter, { nullable: true }) filter?: F | null;
    @Field(() => [order], { nullable: true, description: 'Order of the rows; id always ends it.' }) orderBy?:
      OrderSpec[] | null;
  }
  return RelatedArgs;
}

/** `filter`, `orderBy`, `first` and `after`, as the top-level lists take them. */
function pageArgs<F>(filter: Constructor<F>, order: Constructor<OrderSpec>) {
  @ArgsType()
  class PageArgs extends relatedArgs(filter, order) {
    @Field(() => Int, {
      nullable: true,
      defaultValue: DEFAULT_PAGE_SIZE,
      description: `Page size, at most ${MAX_PAGE_SIZE}.`,
    })
    first?: number | null;

    @Field(() => String, { nullable: true, description: 'pageInfo.endCursor of the previous page.' })
    after?: string | null;
  }
  return PageArgs;
}

/** The filter input of each list. */
export const FILTER_INPUTS: Record<ListKind, Constructor> = {
  participant: ParticipantFilterInput,
  audioProcessing: AudioProcessingFilterInput,
  biomechanicsImport: BiomechanicsImportFilterInput,
  synchronization: SynchronizationFilterInput,
  movementCycle: MovementCycleFilterInput,
};

/** Per list, with its `<Record>Order` input: the arguments of its relationship lists and of its top-level list. */
export const LIST_ARGS = Object.fromEntries(
  LIST_KINDS.map((kind) => {
    const order = orderInput(kind, `${RECORD_TYPES[kind].name}Order`);
    return [kind, { related: relatedArgs(FILTER_INPUTS[kind], order), page: pageArgs(FILTER_INPUTS[kind], order) }];
  }),
) as Record<ListKind, { related: Constructor<RelatedArgsValue<object>>; page: Constructor<PageArgsValue<object>> }>;

export interface RelatedArgsValue<F> {
  filter?: F | null;
  orderBy?: OrderSpec[] | null;
}

export interface PageArgsValue<F> extends RelatedArgsValue<F> {
  first?: number | null;
  after?: string | null;
}
