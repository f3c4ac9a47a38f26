/**
 * The operations questions an admin asks from Sandbox: `integrityReport` and `databaseStats`.
 * They return exactly what `ae-db integrity` and `ae-db stats` print: the same service
 * methods, the same SQL.
 */
import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { RequiresAccess } from '../access';
import { Inspection } from '../inspections';
import { INTEGRITY_REPORT_STATEMENTS } from '../../services/ops/integrity';
import { InspectionService } from '../../services/ops/inspection';
import { DatabaseStats, IntegrityReport } from '../types/operations';

@Resolver()
export class OperationsQueries {
  @Query(() => IntegrityReport, {
    description: 'Orphaned rows and cross-record inconsistencies, one entry per check (as `ae-db integrity`).',
  })
  @RequiresAccess('read')
  @Inspection(INTEGRITY_REPORT_STATEMENTS)
  integrityReport(@Ctx() { services }: GraphQLContext): Promise<IntegrityReport> {
    return services.integrity.report();
  }

  @Query(() => DatabaseStats, {
    description: 'Database size, rows and size per table, and indexes (as `ae-db stats`).',
  })
  @RequiresAccess('read')
  @Inspection(InspectionService.DATABASE_STATS_STATEMENTS)
  databaseStats(@Ctx() { services }: GraphQLContext): Promise<DatabaseStats> {
    return services.inspection.databaseStats();
  }
}
