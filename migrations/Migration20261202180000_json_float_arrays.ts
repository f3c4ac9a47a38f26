import { Migration } from '@mikro-orm/migrations';

/**
 * `ae_json_float8_array(a)`: a float8[] as the JSON text JavaScript would print for it (the
 * rules of src/services/read/json-text.ts's jsonFloat, frozen here as of this version).
 * Compiled reads pass an array's own text through when it needs no reformatting and call
 * this only for the rest (exponents, -0). Written inline, the same expression was a
 * correlated subquery in every array field, and each one a SubPlan that PostgreSQL sets up
 * on every execution whether it runs or not: a third of a small read's database CPU.
 */
export class Migration20261202180000_json_float_arrays extends Migration {
  async up(): Promise<void> {
    this.addSql(`create or replace function ae_json_float8_array(a double precision[]) returns text
      language sql immutable strict parallel safe as $$
        select '[' || coalesce(string_agg(
          case when v is null then 'null'
            when abs(v) >= 1e-4::float8 and abs(v) < 1e15::float8 then v::text
            when v = 0 then '0'
            when v::text in ('NaN', 'Infinity', '-Infinity') then 'null'
            when abs(v) >= 1e-6::float8 and abs(v) < 1e21::float8 then v::text::numeric::text
            else replace(replace(v::text, 'e-0', 'e-'), 'e+0', 'e+') end,
          ',' order by o), '') || ']'
        from unnest(a) with ordinality u(v, o)
      $$`);
  }

  async down(): Promise<void> {
    this.addSql('drop function if exists ae_json_float8_array(double precision[])');
  }
}
