/**
 * The write rules of docs/data-model.md as class-validator constraints, and the one function that
 * runs them. The input classes (record-inputs.ts) carry the rules as decorators; the
 * RecordService looks up the records an input points at (its participant and parents)
 * and attaches them before validating, so the cross-record rules are constraints too and
 * every broken rule comes back the same way: `{ field, rule, message, index? }`.
 */
import {
  ValidateBy,
  ValidateIf,
  validateSync,
  type ValidationArguments,
  type ValidationError,
  type ValidatorOptions,
} from 'class-validator';
import { SHA256_HEX_PATTERN } from '../../entities/columns';
import { Maneuver } from '../../entities/enums';
import { isSampleParticipantNumber, SAMPLE_PARTICIPANT_NUMBERS } from '../seed/sample-data';
import { ValidationFailedError, type FieldViolation } from '../errors';

/** Largest value of a PostgreSQL `int` column. */
export const INT4_MAX = 2_147_483_647;

/** A record an input points at, reduced to what the rules compare. */
export interface ReferencedRecord {
  id: number;
  participantId: number;
  knee: string;
  maneuver: string;
  passNumber?: number | null;
  speed?: string | null;
}

export type ReferenceKind = 'audioProcessing' | 'biomechanicsImport' | 'synchronization';

const LABEL: Record<ReferenceKind, string> = {
  audioProcessing: 'audio recording',
  biomechanicsImport: 'biomechanics import',
  synchronization: 'synchronization',
};

/**
 * What the service found for one input. `undefined`: not looked up (absent, or not a valid
 * id, which another rule reports); `null`: looked up and not found.
 */
export interface ResolvedReferences {
  participantId?: number | null;
  audioProcessing?: ReferencedRecord | null;
  biomechanicsImport?: ReferencedRecord | null;
  synchronization?: ReferencedRecord | null;
}

const references = new WeakMap<object, ResolvedReferences>();

export function attachReferences(input: object, refs: ResolvedReferences): void {
  references.set(input, refs);
}

function referencesOf(input: object): ResolvedReferences {
  return references.get(input) ?? {};
}

/** An input as the fields a message quotes. */
type Fields = Record<string, unknown>;

export const given = (v: unknown): boolean => v !== null && v !== undefined;

/**
 * Rules about a value being absent. When one of them fails, the value rules on the same
 * missing field (`min`, `isInt`, …) would only repeat it, so they are not reported.
 */
const PRESENCE_RULES = new Set(['isDefined']);

type Message = string | ((args: ValidationArguments) => string);

/**
 * A named class-validator constraint on one property; `isValid` sees the value and the whole
 * input. `constraints`: the rule's parameters, kept in its metadata (what test/column-rules.test.ts reads).
 */
function rule(
  name: string,
  // any: a rule sees whatever the caller sent, and the input as its fields; each rule checks what it reads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  isValid: (value: any, input: any) => boolean,
  message: Message,
  o: { presence?: boolean; constraints?: unknown[] } = {},
): PropertyDecorator {
  if (o.presence) PRESENCE_RULES.add(name);
  return ValidateBy(
    { name, constraints: o.constraints, validator: { validate: (value, args) => isValid(value, args!.object) } },
    { message },
  );
}

// ---------------------------------------------------------------- field rules

/** The checksum columns' CHECK pattern. */
export const SHA256_HEX = new RegExp(SHA256_HEX_PATTERN);

export const IsSha256Hex = () =>
  rule(
    'isSha256Hex',
    (v) => !given(v) || (typeof v === 'string' && SHA256_HEX.test(v)),
    '$property must be a SHA-256 checksum: 64 lowercase hex characters',
    {
      constraints: [SHA256_HEX_PATTERN],
    },
  );

/** What is wrong with a flattened `[start1, end1, start2, end2, …]` list, or null when nothing is. */
export function segmentProblem(v: unknown): string | null {
  if (!Array.isArray(v)) return 'must be a list of numbers';
  if (v.length % 2 !== 0) return `has ${v.length} values: segments are [start, end] pairs, so the length must be even`;
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i]) || v[i] < 0)
      return `value ${i} (${v[i]}) must be a number ≥ 0`;
  }
  for (let i = 0; i < v.length; i += 2) {
    if (v[i] > v[i + 1]) return `pair ${i / 2 + 1} starts at ${v[i]} after it ends at ${v[i + 1]}`;
  }
  return null;
}

/**
 * At most `max` characters as PostgreSQL counts them for varchar(n): code points.
 * (class-validator's MaxLength leaves U+FE0E/U+FE0F out of its count, so a name with
 * emoji variation selectors passed it and then failed in the database.)
 */
export const MaxChars = (max: number) =>
  rule(
    'maxLength',
    (v) => typeof v !== 'string' || [...v].length <= max,
    `$property must be at most ${max} characters long`,
    { constraints: [max] },
  );

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL text cannot hold `v`, or null when it can. */
export function unstorableTextProblem(v: string): string | null {
  if (v.includes('\u0000')) return 'contains a NUL character (\\u0000), which PostgreSQL text cannot store';
  if (LONE_SURROGATE.test(v)) return 'is not valid Unicode text (it contains half of a UTF-16 surrogate pair)';
  return null;
}

export const IsSegmentList = () =>
  rule(
    'validSegments',
    (v) => !given(v) || segmentProblem(v) === null,
    (a) => `$property ${segmentProblem(a.value)}`,
  );

// ---------------------------------------------------------------- cross-field rules

const utcDate = (d: unknown) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString().slice(0, 10) : null);

/** Timestamps are wall-clock times kept as UTC, so the calendar date is the UTC date. */
export const OnSameDateAs = (dateProperty: string) =>
  rule(
    'sameCalendarDate',
    (v, o) => utcDate(v) === null || utcDate(o[dateProperty]) === null || utcDate(v) === utcDate(o[dateProperty]),
    (a) =>
      `$property (${utcDate(a.value)}) must fall on the calendar date of ${dateProperty} (${utcDate((a.object as Fields)[dateProperty])})`,
  );

export const NotLessThan = (other: string) =>
  rule(
    'endNotBeforeStart',
    (v, o) => typeof v !== 'number' || typeof o[other] !== 'number' || v >= o[other],
    `$property must be ≥ ${other}`,
  );

/** The flag may not be false while the matching segment list holds a failing segment. */
export const CoversFailSegments = (segmentsProperty: string) =>
  rule(
    'qcFailCoversSegments',
    (v, o) => v !== false || !(Array.isArray(o[segmentsProperty]) && o[segmentsProperty].length > 0),
    `$property cannot be false while ${segmentsProperty} lists failing segments`,
  );

export const isWalk = (o: { maneuver?: unknown }) => o.maneuver === Maneuver.walk;
const isManeuver = (v: unknown) => Object.values(Maneuver).includes(v as Maneuver);

/**
 * Validate the property when it is given, or when `required(input)` holds: then its
 * absence is what a presence rule on it reports. (Plain @IsOptional would skip that rule.)
 */
export const OptionalUnless = <I>(required: (input: I) => boolean) => ValidateIf((o, v) => given(v) || required(o));

/** walk ⇒ given; fe and sts ⇒ absent. Goes on passNumber and speed, with OptionalUnless(isWalk). */
export const OnlyForWalk = () =>
  rule(
    'walkPassAndSpeed',
    (v, o) => !isManeuver(o.maneuver) || isWalk(o) === given(v),
    (a) =>
      given(a.value)
        ? `$property must be absent for maneuver ${(a.object as Fields).maneuver}: only walks have passes and speeds`
        : '$property is required for walk',
    { presence: true },
  );

/** The property must be given when `when(input)` holds. Goes with OptionalUnless(when). */
export const RequiredWhen = <I>(name: string, when: (input: I) => boolean, why: string) =>
  rule(name, (v, o) => given(v) || !when(o), `$property is required ${why}`, { presence: true });

export const stompMethodsInclude = (method: string) => (o: { stompDetectionMethods?: unknown }) =>
  Array.isArray(o.stompDetectionMethods) && o.stompDetectionMethods.includes(method);

// ---------------------------------------------------------------- cross-record rules

/** Real writes never name a participant number of the sample data's range (ae-db seed writes it directly). */
export const NotSampleParticipant = () =>
  rule(
    'notSampleRange',
    (v) => typeof v !== 'number' || !isSampleParticipantNumber(v),
    `$property $value is in ${SAMPLE_PARTICIPANT_NUMBERS.min}–${SAMPLE_PARTICIPANT_NUMBERS.max}, the range reserved for the sample data (ae-db seed); give the participant's real number`,
  );

export const ParticipantExists = () =>
  rule(
    'exists',
    (_v, o) => referencesOf(o).participantId !== null,
    (a) =>
      `$property: there is no participant $value in study ${(a.object as Fields).study}; create it with upsertParticipant first`,
  );

export const RecordExists = (kind: ReferenceKind) =>
  rule('exists', (_v, o) => referencesOf(o)[kind] !== null, `$property: there is no ${LABEL[kind]} with id $value`);

/** The referenced record belongs to the input's participant. */
export const OfSameParticipant = (kind: ReferenceKind) =>
  rule(
    'belongsToParticipant',
    (_v, o) => {
      const refs = referencesOf(o);
      const record = refs[kind];
      return !record || !refs.participantId || record.participantId === refs.participantId;
    },
    (a) =>
      `$property: ${LABEL[kind]} $value belongs to another participant, not ${(a.object as Fields).study} ${(a.object as Fields).participantNumber}`,
  );

const capitalized = (s: string) => s[0].toUpperCase() + s.slice(1);

/** The property equals the referenced record's `field` (knee, maneuver, pass, speed). */
export const MatchesReferenced = (kind: ReferenceKind, field: 'knee' | 'maneuver' | 'passNumber' | 'speed') =>
  rule(
    `matches${capitalized(kind)}`,
    (v, o) => {
      const record = referencesOf(o)[kind];
      return !record || (record[field] ?? null) === (v ?? null);
    },
    (a) =>
      `$property ($value) must equal the ${field} of ${LABEL[kind]} ${referencesOf(a.object)[kind]?.id} (${referencesOf(a.object)[kind]?.[field] ?? 'none'})`,
  );

const conflicting = (value: unknown, alias: unknown) => given(value) && given(alias) && value !== alias;
const conflictMessage = (property: string, value: unknown, alias: string, aliasValue: unknown) =>
  `${property} (${value}) and ${alias} (${aliasValue}), its deprecated name, differ: give ${property} only`;

/** A deprecated name of the property, when given as well, must give the same value. */
export const SameAsDeprecated = (alias: string) =>
  rule(
    `sameAs${capitalized(alias)}`,
    (v, o) => !conflicting(v, o[alias]),
    (a) => conflictMessage('$property', '$value', alias, (a.object as Record<string, unknown>)[alias]),
  );

/** SameAsDeprecated's violation for arguments no input class carries (the lookups'), or null when they agree. */
export function deprecatedNameConflict(
  args: Record<string, unknown>,
  property: string,
  alias: string,
): FieldViolation | null {
  if (!conflicting(args[property], args[alias])) return null;
  const message = conflictMessage(property, args[property], alias, args[alias]);
  return { field: property, rule: `sameAs${capitalized(alias)}`, message };
}

/** A biomechanics import linked to an audio recording was recorded with it: same participant, knee and maneuver. */
export const RecordedWithAudio = () =>
  rule(
    'sameRecording',
    (_v, o) => {
      const { audioProcessing: a, biomechanicsImport: b } = referencesOf(o);
      return !a || !b || (a.participantId === b.participantId && a.knee === b.knee && a.maneuver === b.maneuver);
    },
    (a) => {
      const { audioProcessing: x, biomechanicsImport: y } = referencesOf(a.object);
      return `$property: biomechanics import $value (participant ${y?.participantId}, ${y?.knee} ${y?.maneuver}) was not recorded with audio recording ${x?.id} (participant ${x?.participantId}, ${x?.knee} ${x?.maneuver})`;
    },
  );

// ---------------------------------------------------------------- running the rules

const OPTIONS: ValidatorOptions = {
  // Unknown fields (a typo from a CSV or the CLI) are an error, not silently dropped.
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: true },
};

function toViolations(e: ValidationError, index: number | undefined, prefix = ''): FieldViolation[] {
  const field = prefix + e.property;
  let failed = Object.entries(e.constraints ?? {});
  if (!given(e.value) && failed.some(([name]) => PRESENCE_RULES.has(name)))
    failed = failed.filter(([name]) => PRESENCE_RULES.has(name));
  return [
    ...failed.map(([name, message]) => ({
      field,
      rule: name === 'whitelistValidation' ? 'unknownField' : name,
      message,
      ...(index === undefined ? {} : { index }),
    })),
    ...(e.children ?? []).flatMap((c) => toViolations(c, index, `${field}.`)),
  ];
}

/**
 * Text no column can store, in any field (strings and lists of strings): one rule for every
 * text field, present and future, instead of a decorator each one could be missing.
 */
function unstorableText(input: object, index: number | undefined): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const [field, value] of Object.entries(input)) {
    const texts = Array.isArray(value)
      ? value.filter((v): v is string => typeof v === 'string')
      : typeof value === 'string'
        ? [value]
        : [];
    const problem = texts.map(unstorableTextProblem).find((p) => p !== null);
    if (problem)
      out.push({
        field,
        rule: 'storableText',
        message: `${field} ${problem}`,
        ...(index === undefined ? {} : { index }),
      });
  }
  return out;
}

/** Every rule `input` breaks; `index` is its position in a batch. */
export function violationsOf(input: object, index?: number): FieldViolation[] {
  return [...validateSync(input, OPTIONS).flatMap((e) => toViolations(e, index)), ...unstorableText(input, index)];
}

/** An instance of `cls` from a class instance or a plain object (CLI, CSV), so its decorators apply. */
export function toInput<T extends object>(cls: new () => T, value: T | Record<string, unknown>): T {
  if (value instanceof cls) return value;
  const defined = Object.entries(value ?? {}).filter(([, v]) => v !== undefined);
  return Object.assign(new cls(), Object.fromEntries(defined));
}

/** Throws ValidationFailedError listing every broken rule. */
export function assertValid(input: object): void {
  const violations = violationsOf(input);
  if (violations.length) throw new ValidationFailedError(violations);
}
