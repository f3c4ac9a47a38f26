/**
 * What a write that PostgreSQL refuses becomes (translateWriteError), for errors as they
 * really arrive: converted by MikroORM (UniqueConstraintViolationException, … from the ORM's own
 * calls) and unconverted (the driver's error, from `em.getConnection().execute` or a raw `pg`
 * client). Both kinds of the same refusal give the same field-named error; what is no refusal
 * of the write passes through untouched.
 */
import {
  CheckConstraintViolationException,
  DeadlockException,
  DriverException,
  ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException,
  TableNotFoundException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { useTestDatabase } from './helpers/test-database';
import { ConflictError, UserError, ValidationFailedError } from '../src/services/errors';
import { translateWriteError } from '../src/services/write/records';

const { ctx, sql: c } = useTestDatabase({ sql: true });

beforeAll(async () => {
  await c.query(`insert into study (name) values ('AOA') on conflict do nothing`);
});

/** The error `sql` raises through MikroORM's EntityManager (converted) and through a raw pg client (not). */
async function bothWays(sql: string): Promise<{ orm: unknown; raw: unknown }> {
  const orm = await ctx.orm.em
    .fork()
    .execute(sql)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  const raw = await c.query(sql).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(orm).toBeInstanceOf(DriverException);
  expect(raw).toBeInstanceOf(Error);
  expect(raw).not.toBeInstanceOf(DriverException);
  return { orm, raw };
}

const raise = (condition: string) => `do $$ begin raise exception 'refused' using errcode = '${condition}'; end $$`;

it.each([
  [
    'a unique key taken',
    `insert into study (name) values ('AOA')`,
    UniqueConstraintViolationException,
    new ConflictError(
      'Another write changed the same record at the same moment (study_name_key); nothing was written, retry.',
    ),
  ],
  [
    'one row reached twice by an upsert',
    `insert into study (name) values ('preOA'), ('preOA') on conflict (name) do update set name = excluded.name`,
    DriverException,
    new ConflictError(
      'Another write changed the same record at the same moment (unique key); nothing was written, retry.',
    ),
  ],
  [
    'a deadlock',
    raise('deadlock_detected'),
    DeadlockException,
    new ConflictError('The write collided with a concurrent one and was rolled back; nothing was written, retry.'),
  ],
  [
    'a serialization failure',
    raise('serialization_failure'),
    DeadlockException,
    new ConflictError('The write collided with a concurrent one and was rolled back; nothing was written, retry.'),
  ],
  [
    'a missing parent',
    'insert into participant (study_id, study_participant_id) values (987654, 1)',
    ForeignKeyConstraintViolationException,
    new ValidationFailedError([
      {
        field: 'studyId',
        rule: 'exists',
        message: 'studyId: there is no study row with id 987654 (was it just deleted?)',
      },
    ]),
  ],
  [
    'a CHECK',
    `insert into study (name) values ('OAI')`,
    CheckConstraintViolationException,
    new ValidationFailedError([
      { field: 'name', rule: 'study_name_check', message: 'name: rejected by the database rule study_name_check' },
    ]),
  ],
  [
    'a NOT NULL',
    'insert into study (name) values (null)',
    NotNullConstraintViolationException,
    new ValidationFailedError([{ field: 'name', rule: 'isDefined', message: 'name is required' }]),
  ],
  [
    'a text too long',
    `insert into study (name) values (repeat('x', 51))`,
    DriverException,
    new ValidationFailedError([
      { field: 'input', rule: 'databaseType', message: 'input: a text is longer than its column allows' },
    ]),
  ],
  [
    'a value not in its column type',
    `insert into participant (study_id, study_participant_id) values (1, 'x')`,
    DriverException,
    new ValidationFailedError([
      { field: 'input', rule: 'databaseType', message: 'input: a value is not in the form its column needs' },
    ]),
  ],
  [
    'an integer out of range',
    'insert into participant (study_id, study_participant_id) values (1, 2147483648)',
    DriverException,
    new ValidationFailedError([
      { field: 'input', rule: 'databaseType', message: 'input: a number is out of the range its column can hold' },
    ]),
  ],
])('%s becomes the same error, converted by MikroORM or not', async (_, sql, ormClass, expected) => {
  const { orm, raw } = await bothWays(sql);
  expect(orm).toBeInstanceOf(ormClass);
  for (const e of [orm, raw, new Error('wrapped', { cause: raw })]) {
    const translated = translateWriteError(e);
    expect(translated).toBeInstanceOf(expected.constructor);
    expect(translated).toEqual(expected);
    expect((translated as Error).message).toBe(expected.message);
  }
});

it('what is no refusal of the write passes through as it came', async () => {
  const { orm, raw } = await bothWays('select * from no_such_table');
  expect(orm).toBeInstanceOf(TableNotFoundException);
  const rawMessage = (raw as Error).message;
  for (const e of [orm, raw]) expect(translateWriteError(e)).toBe(e);
  expect((raw as Error).message).toBe(rawMessage);
  const userError = new UserError('already clear');
  expect(translateWriteError(userError)).toBe(userError);
});
