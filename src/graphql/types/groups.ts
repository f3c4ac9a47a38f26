/**
 * GraphQL types of the group-by aggregates, built from the group models (which come from the
 * column declarations): per list `<Record>GroupField` (what groupBy takes), `<Record>GroupKey`
 * (the grouped values), `<Record>GroupStatistics` (one Float per numeric field) and
 * `<Record>Group` (key, count, sum, avg, min, max, stddev, percentile(p)).
 */
import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GROUP_KINDS, GROUP_MODELS, type GroupKind } from '../../services/read/groups';
import { deprecatedFields } from '../participant-number';
import { FILTER_INPUTS } from './inputs';
import { RECORD_TYPES } from './record-types';

type Constructor = new () => object;

/** `<record>Groups`, the field name of a list's groups (root and nested). */
export const groupsFieldName = (kind: GroupKind) => `${kind}Groups`;

const field = (
  cls: Constructor,
  name: string,
  type: () => object,
  o: { nullable?: boolean; description?: string; deprecationReason?: string } = {},
) =>
  (
    Field(type, {
      nullable: o.nullable ?? true,
      description: o.description,
      deprecationReason: o.deprecationReason,
    }) as PropertyDecorator
  )(cls.prototype, name);

function groupTypes(kind: GroupKind) {
  const model = GROUP_MODELS[kind];
  const name = RECORD_TYPES[kind].name;
  const fieldEnum = Object.fromEntries([...model.groupFields.keys()].map((f) => [f, f]));
  registerEnumType(fieldEnum, { name: `${name}GroupField`, description: `Fields ${kind} rows can be grouped by.` });

  class Key {}
  for (const f of model.groupFields.values()) {
    field(Key, f.field, () => (f.type === 'enum' ? f.graphqlType! : f.type === 'int' ? Int : Boolean), {
      description:
        f.via === 'study'
          ? 'Study of the participant.'
          : f.via === 'participant'
            ? "The participant's number inside the study."
            : undefined,
    });
  }
  ObjectType(`${name}GroupKey`, {
    description: 'The values this group shares: the grouped-by fields; the others are null.',
  })(Key);

  class Statistics {}
  const deprecated = deprecatedFields(kind);
  for (const f of model.numericFields) field(Statistics, f, () => Float, { deprecationReason: deprecated.get(f) });
  ObjectType(`${name}GroupStatistics`, {
    description: "One statistic of each numeric field over the group's rows (null over no rows or no values).",
  })(Statistics);

  class Group {}
  field(Group, 'key', () => Key, { nullable: false });
  field(Group, 'count', () => Int, { nullable: false, description: 'Rows in the group.' });
  field(Group, 'sum', () => Statistics, { nullable: false });
  field(Group, 'avg', () => Statistics, { nullable: false, description: 'Mean (null over no values).' });
  field(Group, 'min', () => Statistics, { nullable: false });
  field(Group, 'max', () => Statistics, { nullable: false });
  field(Group, 'stddev', () => Statistics, {
    nullable: false,
    description: 'Sample standard deviation (null for fewer than two values).',
  });
  ObjectType(`${name}Group`, { description: `One group of ${kind} rows: its key, row count and statistics.` })(Group);

  @ArgsType()
  class GroupArgs {
    @Field(() => FILTER_INPUTS[kind], { nullable: true, description: 'The same filter as the list.' }) filter?:
      object | null;
    @Field(() => [fieldEnum], {
      description: 'Fields to group by, in key order; an empty list gives one group over every row the filter selects.',
    })
    groupBy!: string[];
  }
  return { Group, Key, Statistics, GroupArgs, fieldEnum };
}

export const GROUP_TYPES = Object.fromEntries(GROUP_KINDS.map((k) => [k, groupTypes(k)])) as Record<
  GroupKind,
  ReturnType<typeof groupTypes>
>;
