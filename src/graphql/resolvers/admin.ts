/**
 * Admin: the GraphQL twins of `ae-db status`, `upgrade`, `downgrade`, `seed` and `reset`,
 * all through the AdminService (which runs the CLI's MigrationService and SeedService).
 * Everything here needs the admin token.
 */
import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver } from 'type-graphql';
import { StudyName } from '../../entities';
import type { MigrationRun } from '../../services/ops/admin';
import type { MigrationStatus } from '../../services/schema/migrations';
import type { GraphQLContext } from '../context';
import { RequiresAccess } from '../access';
import { MigrationRunType, MigrationStatusType, SchemaCheckType, TableCountsType } from '../types/write-results';

const statusType = (s: MigrationStatus) => Object.assign(new MigrationStatusType(), s);
const runType = (r: MigrationRun) =>
  Object.assign(new MigrationRunType(), { migrations: r.migrations, status: statusType(r.status) });

@Resolver(() => MigrationStatusType)
export class AdminResolver {
  // Admin only: schemaCheck returns DDL and costs a full schema diff.
  @Query(() => MigrationStatusType, {
    description: 'Current, applied (with when), pending and unknown migrations (ae-db status). Needs the admin token.',
  })
  @RequiresAccess('admin')
  async migrationStatus(@Ctx() { services }: GraphQLContext) {
    return statusType(await services.admin.status());
  }

  @FieldResolver(() => SchemaCheckType, {
    description: 'Whether the entities and the migrated schema agree (ae-db check); computed only when asked for.',
  })
  schemaCheck(@Ctx() { services }: GraphQLContext) {
    return services.admin.schemaCheck();
  }

  @Mutation(() => MigrationRunType, {
    description:
      'Applies migrations up to `to` (head, +N or a name) in one transaction (ae-db upgrade). On failure nothing is applied.',
  })
  @RequiresAccess('admin')
  async migrate(@Arg('to', () => String, { defaultValue: 'head' }) to: string, @Ctx() { services }: GraphQLContext) {
    return runType(await services.admin.migrate(to));
  }

  @Mutation(() => MigrationRunType, {
    description:
      'Reverts `steps` migrations (default 1) or down to `to` (kept applied; or base) (ae-db downgrade). Reaching base (every table dropped), or dropping any table or column that holds data, needs confirm: "YES"; without it the error names those tables and columns and their row counts.',
  })
  @RequiresAccess('admin')
  async rollback(
    @Arg('steps', () => Int, { nullable: true }) steps: number | null,
    @Arg('to', () => String, { nullable: true }) to: string | null,
    @Arg('confirm', () => String, { nullable: true }) confirm: string | null,
    @Ctx() { services }: GraphQLContext,
  ) {
    return runType(await services.admin.rollback({ steps, to, confirm }));
  }

  @Mutation(() => TableCountsType, {
    description:
      'Writes the deterministic sample dataset (ae-db seed): participants numbered 900000–999999, a range no other write may use; upserts, so running it twice does not duplicate. Refused (CONFIRMATION_REQUIRED) on a database holding participants the sample did not write, unless force: true; even then it never changes their rows. Returns the rows written per table.',
  })
  @RequiresAccess('admin')
  async seedSampleData(
    @Arg('participantsPerStudy', () => Int, { defaultValue: 3 }) participantsPerStudy: number,
    @Arg('studies', () => [StudyName], { nullable: true, description: 'Default: all three.' })
    studies: StudyName[] | null,
    @Arg('seed', () => Int, { defaultValue: 42 }) seed: number,
    @Arg('force', () => Boolean, {
      defaultValue: false,
      description: 'Seed although the database holds participants the sample did not write (they are never touched).',
    })
    force: boolean,
    @Ctx() { services }: GraphQLContext,
  ) {
    return TableCountsType.from(
      await services.admin.seed({ participantsPerStudy, studies: studies ?? undefined, seed, force }),
    );
  }

  @Mutation(() => TableCountsType, {
    description:
      'Empties every data table, keeping the schema (ae-db reset). Needs confirm: "DELETE ALL DATA". Returns the rows removed per table.',
  })
  @RequiresAccess('admin')
  async resetDatabase(@Arg('confirm', () => String) confirm: string, @Ctx() { services }: GraphQLContext) {
    return TableCountsType.from(await services.admin.reset(confirm));
  }
}
