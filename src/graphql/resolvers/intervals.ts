/** `…Intervals` beside each segment array of AudioProcessing: the same segments as `{ start end duration }`. */
import { FieldResolver, Resolver, Root } from 'type-graphql';
import { AudioProcessing } from '../../entities';
import { Interval, toIntervals } from '../types/interval';

/** An alias, not the entity class, so type-graphql hands the root over as it is. */
type AudioSegments = Pick<AudioProcessing, `${'qcFail' | 'qcSignalDropout' | 'qcArtifact'}Segments${'' | 'Ch1' | 'Ch2' | 'Ch3' | 'Ch4'}`>;

const note = (segments: string) => ({ nullable: true, description: `${segments} as intervals.` });

@Resolver(() => AudioProcessing)
export class AudioProcessingIntervals {
  @FieldResolver(() => [Interval], note('qcFailSegments'))
  qcFailIntervals(@Root() a: AudioSegments) { return toIntervals(a.qcFailSegments); }
  @FieldResolver(() => [Interval], note('qcFailSegmentsCh1'))
  qcFailIntervalsCh1(@Root() a: AudioSegments) { return toIntervals(a.qcFailSegmentsCh1); }
  @FieldResolver(() => [Interval], note('qcFailSegmentsCh2'))
  qcFailIntervalsCh2(@Root() a: AudioSegments) { return toIntervals(a.qcFailSegmentsCh2); }
  @FieldResolver(() => [Interval], note('qcFailSegmentsCh3'))
  qcFailIntervalsCh3(@Root() a: AudioSegments) { return toIntervals(a.qcFailSegmentsCh3); }
  @FieldResolver(() => [Interval], note('qcFailSegmentsCh4'))
  qcFailIntervalsCh4(@Root() a: AudioSegments) { return toIntervals(a.qcFailSegmentsCh4); }

  @FieldResolver(() => [Interval], note('qcSignalDropoutSegments'))
  qcSignalDropoutIntervals(@Root() a: AudioSegments) { return toIntervals(a.qcSignalDropoutSegments); }
  @FieldResolver(() => [Interval], note('qcSignalDropoutSegmentsCh1'))
  qcSignalDropoutIntervalsCh1(@Root() a: AudioSegments) { return toIntervals(a.qcSignalDropoutSegmentsCh1); }
  @FieldResolver(() => [Interval], note('qcSignalDropoutSegmentsCh2'))
  qcSignalDropoutIntervalsCh2(@Root() a: AudioSegments) { return toIntervals(a.qcSignalDropoutSegmentsCh2); }
  @FieldResolver(() => [Interval], note('qcSignalDropoutSegmentsCh3'))
  qcSignalDropoutIntervalsCh3(@Root() a: AudioSegments) { return toIntervals(a.qcSignalDropoutSegmentsCh3); }
  @FieldResolver(() => [Interval], note('qcSignalDropoutSegmentsCh4'))
  qcSignalDropoutIntervalsCh4(@Root() a: AudioSegments) { return toIntervals(a.qcSignalDropoutSegmentsCh4); }

  @FieldResolver(() => [Interval], note('qcArtifactSegments'))
  qcArtifactIntervals(@Root() a: AudioSegments) { return toIntervals(a.qcArtifactSegments); }
  @FieldResolver(() => [Interval], note('qcArtifactSegmentsCh1'))
  qcArtifactIntervalsCh1(@Root() a: AudioSegments) { return toIntervals(a.qcArtifactSegmentsCh1); }
  @FieldResolver(() => [Interval], note('qcArtifactSegmentsCh2'))
  qcArtifactIntervalsCh2(@Root() a: AudioSegments) { return toIntervals(a.qcArtifactSegmentsCh2); }
  @FieldResolver(() => [Interval], note('qcArtifactSegmentsCh3'))
  qcArtifactIntervalsCh3(@Root() a: AudioSegments) { return toIntervals(a.qcArtifactSegmentsCh3); }
  @FieldResolver(() => [Interval], note('qcArtifactSegmentsCh4'))
  qcArtifactIntervalsCh4(@Root() a: AudioSegments) { return toIntervals(a.qcArtifactSegmentsCh4); }
}
