/** `{ start end duration }` views of the flattened `[start1, end1, start2, end2, …]` segment arrays. */
import { MetadataStorage } from '@mikro-orm/core';
import { Field, Float, ObjectType } from 'type-graphql';
import { AudioProcessing } from '../../entities';
import { FloatArrayType } from '../../entities/columns';

@ObjectType({ description: 'One time segment of a recording, in seconds.' })
export class Interval {
  @Field(() => Float) start!: number;
  @Field(() => Float) end!: number;
  @Field(() => Float, { description: 'end − start.' }) duration!: number;
}

export function toIntervals(flat: readonly number[] | null | undefined): Interval[] | null {
  if (!flat) return null;
  const out: Interval[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2)
    out.push({ start: flat[i], end: flat[i + 1], duration: flat[i + 1] - flat[i] });
  return out;
}

/**
 * Each `…Intervals` field of AudioProcessing and the segment array it reads: one per segments
 * column of the entity (`qcFailSegmentsCh1` is read as `qcFailIntervalsCh1`).
 */
export const AUDIO_INTERVAL_SOURCES: Record<string, string> = Object.fromEntries(
  Object.values(MetadataStorage.getMetadataFromDecorator(AudioProcessing).properties)
    // The declared type, as the decorator recorded it (the class; a string for the other columns).
    .filter((p) => (p.type as unknown) === FloatArrayType)
    .map((p) => [p.name.replace('Segments', 'Intervals'), p.name]),
);
