/**
 * The ordered list of migrations. `ae-db revision` rewrites this file after adding one;
 * listing them explicitly makes the compiled server and the TypeScript tests run the
 * very same classes, with no file globbing.
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000_initial_schema } from './Migration20261124000000_initial_schema';
import { Migration20261202000000_finite_numbers } from './Migration20261202000000_finite_numbers';
import { Migration20261202180000_json_float_arrays } from './Migration20261202180000_json_float_arrays';

export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261124000000_initial_schema', class: Migration20261124000000_initial_schema },
  { name: 'Migration20261202000000_finite_numbers', class: Migration20261202000000_finite_numbers },
  { name: 'Migration20261202180000_json_float_arrays', class: Migration20261202180000_json_float_arrays },
];
