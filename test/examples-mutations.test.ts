/**
 * examples/mutations.graphql works as written: every operation, with the variables shown
 * under it, runs in file order on an empty database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print } from 'graphql';
import { graphqlClient } from './helpers/graphql';
import { useTestDatabase } from './helpers/test-database';

const text = readFileSync(join(__dirname, '..', 'examples', 'mutations.graphql'), 'utf8');

/** The `# Variables:` JSON block after each operation, keyed by the operation's name. */
function variablesByOperation(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const re = /^(?:mutation|query) (\w+)[\s\S]*?(?=^(?:mutation|query) |(?![\s\S]))/gm;
  for (const m of text.matchAll(re)) {
    const block = /# Variables:\n((?:#.*\n?)+)/.exec(m[0]);
    if (block) out.set(m[1], JSON.parse(block[1].replace(/^# ?/gm, '')));
  }
  return out;
}

const { ctx } = useTestDatabase();

it('every example runs in order; only the documented refusal is refused', async () => {
  const gql = await graphqlClient(ctx);
  const variables = variablesByOperation();
  expect([...variables.keys()]).toEqual([
    'UpsertAudioProcessing',
    'UpsertBiomechanicsImport',
    'UpsertSynchronization',
    'UpsertMovementCycles',
    'IngestRecording',
  ]);
  const operations = parse(text).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const outcomes: string[] = [];
  try {
    for (const op of operations) {
      const name = op.name!.value;
      const res = await gql.query(print(op), variables.get(name) as Record<string, unknown> | undefined);
      outcomes.push(`${name}: ${res.errors ? res.errors[0].extensions?.code + ' ' + res.errors[0].message : 'ok'}`);
    }
  } finally {
    await gql.stop();
  }
  expect(outcomes).toEqual(
    operations.map((op) =>
      op.name!.value === 'RollbackToBaseUnconfirmed'
        ? expect.stringMatching(/^RollbackToBaseUnconfirmed: CONFIRMATION_REQUIRED/)
        : `${op.name!.value}: ok`,
    ),
  );
});
