/**
 * The participant's number inside its study (1011 for folder #AOA1011) is `participantNumber`
 * throughout the API: the field, read from the column `studyParticipantId` maps (now its deprecated
 * name), and the lookups' and writes' argument. The `number` argument of participant, participantOverview,
 * upsertParticipant and deleteParticipant stays as a deprecated alias. GraphQL cannot deprecate
 * a required argument, so both are nullable in the schema; `participantNumberRequired` refuses
 * an operation giving neither (or null) with graphql-js's own errors for a missing required
 * argument, before anything runs.
 */
import { ArgsType, Field, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import {
  GraphQLError,
  Kind,
  print,
  type ArgumentNode,
  type ASTVisitor,
  type ValidationContext,
  type VariableNode,
} from 'graphql';
import { Participant, StudyName, USE_PARTICIPANT_NUMBER } from '../entities';
import { UserError, ValidationFailedError } from '../services/errors';
import { FIELD_ALIASES, type RecordKind } from '../services/read/model';
import { deprecatedNameConflict } from '../services/write/validation';

const NUMBER = "The participant's number inside the study (1011 for folder #AOA1011).";

/**
 * The fields of `kind` the read model also knows by a newer name (FIELD_ALIASES), each with its
 * deprecation (`Use participantNumber.`): the GraphQL types built from the read model mark them.
 */
export function deprecatedFields(kind: RecordKind): Map<string, string> {
  return new Map(Object.entries(FIELD_ALIASES[kind] ?? {}).map(([alias, of]) => [of, `Use ${alias}.`]));
}

@Resolver(() => Participant)
export class ParticipantNumberField {
  // The root is typed by its field only: type-graphql would copy any other root into a new entity.
  @FieldResolver(() => Int, { description: NUMBER })
  participantNumber(@Root() p: Pick<Participant, 'participantNumber'>) {
    return p.participantNumber;
  }
}

/** The lookups' arguments: `participant(study, participantNumber)`, `participantOverview(study, participantNumber)`. */
@ArgsType()
export class ParticipantNumberArgs {
  @Field(() => StudyName)
  study!: StudyName;

  @Field(() => Int, { nullable: true, description: NUMBER })
  participantNumber?: number | null;

  @Field(() => Int, { nullable: true, description: NUMBER, deprecationReason: USE_PARTICIPANT_NUMBER })
  number?: number | null;
}

/**
 * The number given under either name, with the name it came under (for messages). Two different
 * numbers are refused naming both (the write rule `sameAsNumber`). Neither passes validation only
 * as a null sent for a variable that has a default, which graphql-js refuses for a required argument too.
 */
export function participantNumberOf(args: { participantNumber?: number | null; number?: number | null }): {
  name: string;
  value: number;
} {
  const conflict = deprecatedNameConflict(args, 'participantNumber', 'number');
  if (conflict) throw new ValidationFailedError([conflict]);
  if (args.participantNumber !== null && args.participantNumber !== undefined)
    return { name: 'participantNumber', value: args.participantNumber };
  if (args.number !== null && args.number !== undefined) return { name: 'number', value: args.number };
  throw new UserError('Argument "participantNumber" of non-null type "Int!" must not be null.');
}

const NAMES = new Set(['participantNumber', 'number']);
const REQUIRED = 'Int!';

/**
 * Validation rule: on every field whose `number` argument is deprecated for participantNumber, one
 * of the two must be given, not as null, and not as a nullable variable without a default, as
 * graphql-js's ProvidedRequiredArguments, ValuesOfCorrectType and VariablesInAllowedPosition rules
 * (whose messages these are) require of a required argument.
 */
export function participantNumberRequired(context: ValidationContext): ASTVisitor {
  const variables = new Set<VariableNode>();
  return {
    Field(node) {
      const field = context.getFieldDef();
      if (!field?.args.some((a) => a.name === 'number' && a.deprecationReason === USE_PARTICIPANT_NUMBER)) return;
      const given = (node.arguments ?? []).filter((a: ArgumentNode) => NAMES.has(a.name.value));
      if (given.length === 0) {
        context.reportError(
          new GraphQLError(
            `Field "${field.name}" argument "participantNumber" of type "${REQUIRED}" is required, but it was not provided.`,
            { nodes: node },
          ),
        );
      }
      for (const a of given) {
        if (a.value.kind === Kind.NULL)
          context.reportError(
            new GraphQLError(`Expected value of type "${REQUIRED}", found ${print(a.value)}.`, { nodes: a.value }),
          );
        if (a.value.kind === Kind.VARIABLE) variables.add(a.value);
      }
    },
    OperationDefinition: {
      leave(operation) {
        const definitions = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
        for (const usage of context.getRecursiveVariableUsages(operation)) {
          if (!variables.has(usage.node)) continue;
          const definition = definitions.get(usage.node.name.value);
          // An undefined variable is reported by graphql-js itself.
          if (!definition || definition.type.kind === Kind.NON_NULL_TYPE) continue;
          if (definition.defaultValue && definition.defaultValue.kind !== Kind.NULL) continue;
          context.reportError(
            new GraphQLError(
              `Variable "$${usage.node.name.value}" of type "${print(definition.type)}" used in position expecting type "${REQUIRED}".`,
              {
                nodes: [definition, usage.node],
              },
            ),
          );
        }
      },
    },
  };
}
