/** `…Intervals` beside each segment array of AudioProcessing: the same segments as `{ start end duration }`. */
import { FieldResolver, Resolver, Root } from 'type-graphql';
import { AudioProcessing } from '../../entities';
import type { Row } from '../../services/read';
import { AUDIO_INTERVAL_SOURCES, Interval, toIntervals } from '../types/interval';

function intervalsField(field: string, segments: string) {
  @Resolver(() => AudioProcessing)
  class IntervalsField {
    // The root is typed as a row, not as AudioProcessing, so type-graphql hands it over as it is.
    @FieldResolver(() => [Interval], { nullable: true, description: `${segments} as intervals.` })
    [field](@Root() row: Row) {
      return toIntervals(row[segments] as number[] | null | undefined);
    }
  }
  return IntervalsField;
}

export const INTERVAL_RESOLVERS = Object.entries(AUDIO_INTERVAL_SOURCES).map(([field, segments]) =>
  intervalsField(field, segments),
);
