/** `{ start end duration }` views of the flattened `[start1, end1, start2, end2, …]` segment arrays. */
import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One time segment of a recording, in seconds.' })
export class Interval {
  @Field(() => Float) start!: number;
  @Field(() => Float) end!: number;
  @Field(() => Float, { description: 'end − start.' }) duration!: number;
}

export function toIntervals(flat: readonly number[] | null | undefined): Interval[] | null {
  if (!flat) return null;
  const out: Interval[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ start: flat[i], end: flat[i + 1], duration: flat[i + 1] - flat[i] });
  return out;
}

/** Each `…Intervals` field of AudioProcessing and the segment array it reads. */
export const AUDIO_INTERVAL_SOURCES: Record<string, string> = {};
for (const kind of ['qcFail', 'qcSignalDropout', 'qcArtifact']) {
  for (const channel of ['', 'Ch1', 'Ch2', 'Ch3', 'Ch4']) {
    AUDIO_INTERVAL_SOURCES[`${kind}Intervals${channel}`] = `${kind}Segments${channel}`;
  }
}
