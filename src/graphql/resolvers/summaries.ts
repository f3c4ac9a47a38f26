/** Inspection queries: thin doors onto SummaryService (and the inspection service's table counts). */
import { Arg, Args, Ctx, FieldResolver, Query, Resolver } from 'type-graphql';
import type { AudioProcessingFilter, SynchronizationFilter } from '../../services/read';
import type { GraphQLContext } from '../context';
import { RequiresAccess } from '../access';
import { ParticipantNumberArgs, participantNumberOf } from '../participant-number';
import { Inspection } from '../inspections';
import { InspectionService } from '../../services/ops/inspection';
import { SUMMARY_STATEMENTS } from '../../services/read/summaries';
import { AudioProcessingFilterInput, SynchronizationFilterInput } from '../types/inputs';
import {
  AudioQcSummaryType,
  DatabaseSummary,
  ParticipantOverviewType,
  StudyRowCountsType,
  SynchronizationStatsGroupBy,
  SynchronizationStatsRow,
  TableRowCount,
} from '../types/summaries';

@Resolver(() => DatabaseSummary)
export class SummaryQueries {
  @Query(() => DatabaseSummary, {
    description: 'Rows per table and per study. Each part is counted only when selected.',
  })
  @RequiresAccess('read')
  @Inspection(InspectionService.RECORD_COUNTS_STATEMENTS + SUMMARY_STATEMENTS)
  databaseSummary() {
    return new DatabaseSummary();
  }

  @FieldResolver(() => [TableRowCount], { description: "Rows per table (the guide's UNION ALL count)." })
  async tables(@Ctx() ctx: GraphQLContext): Promise<TableRowCount[]> {
    const counts = await ctx.services.inspection.recordCounts();
    return Object.entries(counts).map(([table, rows]) => ({ table, rows: rows ?? 0 }));
  }

  @FieldResolver(() => [StudyRowCountsType], { description: 'Rows of each study in each table.' })
  studies(@Ctx() ctx: GraphQLContext) {
    return ctx.services.summaries.studyCounts();
  }

  @Query(() => AudioQcSummaryType, {
    description: 'Audio QC counts (files, failed QC, signal dropout, artifacts), overall and per channel.',
  })
  @RequiresAccess('read')
  @Inspection(SUMMARY_STATEMENTS)
  audioQcSummary(
    @Arg('filter', () => AudioProcessingFilterInput, { nullable: true }) filter: AudioProcessingFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.summaries.audioQcSummary(filter);
  }

  @Query(() => [SynchronizationStatsRow], {
    description: 'Synchronization count and mean cycle figures per group (one overall row when groupBy is empty).',
  })
  @RequiresAccess('read')
  @Inspection(SUMMARY_STATEMENTS)
  synchronizationStats(
    @Arg('groupBy', () => [SynchronizationStatsGroupBy]) groupBy: SynchronizationStatsGroupBy[],
    @Arg('filter', () => SynchronizationFilterInput, { nullable: true }) filter: SynchronizationFilter | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.summaries.synchronizationStats(groupBy, filter);
  }

  @Query(() => ParticipantOverviewType, {
    nullable: true,
    description: 'One row per knee × maneuver of a participant; null when absent.',
  })
  participantOverview(@Args(() => ParticipantNumberArgs) args: ParticipantNumberArgs, @Ctx() ctx: GraphQLContext) {
    return ctx.services.summaries.participantOverview(args.study, participantNumberOf(args).value);
  }
}
