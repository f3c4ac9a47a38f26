/**
 * What PostgreSQL must do for a compiled read, read off its plan: a small lookup's cost
 * on the database is mostly setting the plan up, so a field must not bring a SubPlan (a
 * correlated subquery PostgreSQL initialises on every execution, run or not).
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { useReadFixture } from './helpers/read-fixture';
import { buildAppSchema } from '../src/graphql/schema';
import { compileRead, fragmentsOf } from '../src/graphql/compiled/compile';

const { ctx, sql: c } = useReadFixture();

/** The plan's node types, with every SubPlan / InitPlan named by its parent relationship. */
async function planNodes(query: string, variables: Record<string, unknown> = {}): Promise<string[]> {
  const schema = await buildAppSchema();
  const document = parse(query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const compiled = compileRead(schema, fragmentsOf(document.definitions), operation, variables, ctx.services.read);
  if ('fallback' in compiled) throw new Error(`not compiled: ${compiled.fallback}`);
  const { rows } = await c.query(`explain (format json) ${compiled.sql}`, compiled.values);
  const out: string[] = [];
  const walk = (node: any) => {
    out.push(
      node['Parent Relationship'] === 'SubPlan' || node['Parent Relationship'] === 'InitPlan'
        ? `${node['Parent Relationship']}: ${node['Subplan Name']}`
        : node['Node Type'],
    );
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(rows[0]['QUERY PLAN'][0].Plan);
  return out;
}

const AUDIO_ARRAYS =
  'qcFailSegments qcFailSegmentsCh1 qcFailSegmentsCh2 qcFailSegmentsCh3 qcFailSegmentsCh4 qcSignalDropoutSegments qcArtifactSegments';

it('float-array fields add no SubPlan to a participant lookup', async () => {
  const nodes = await planNodes(
    `query($n: Int!) { participant(study: AOA, number: $n) { id audioProcessings { id durationSeconds ${AUDIO_ARRAYS} } } }`,
    { n: 1001 },
  );
  expect(nodes.filter((n) => n.startsWith('SubPlan'))).toEqual([]);
});

it('an array that needs reformatting still reads as JavaScript prints it', async () => {
  await c.query(`update audio_processing set qc_artifact_segments = '{0.000012,1.5,1e-7,2,-0,1e21}' where id = 1`);
  const { rows } = await c.query(
    `select ae_json_float8_array(qc_artifact_segments) as j from audio_processing where id = 1`,
  );
  expect(rows[0].j).toBe(JSON.stringify([0.000012, 1.5, 1e-7, 2, -0, 1e21]));
});
