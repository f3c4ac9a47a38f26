/**
 * What the read layer knows about each table, taken from the ORM's metadata so that a
 * column added to an entity is readable without touching this file: the fields a row
 * exposes (entity property names; a many-to-one link as `<relation>Id`), their SQL
 * columns, and which values need converting from what PostgreSQL sends.
 */
import type { MetadataStorage } from '@mikro-orm/core';
import type { TableName } from '../../entities';

export type RecordKind =
  'study' | 'participant' | 'audioProcessing' | 'biomechanicsImport' | 'synchronization' | 'movementCycle';

export const RECORD_KINDS: readonly RecordKind[] = [
  'study',
  'participant',
  'audioProcessing',
  'biomechanicsImport',
  'synchronization',
  'movementCycle',
];

/** The entity class of each kind, by name (the ORM's metadata is keyed by it). */
export const ENTITY_OF: Record<RecordKind, string> = {
  study: 'Study',
  participant: 'Participant',
  audioProcessing: 'AudioProcessing',
  biomechanicsImport: 'BiomechanicsImport',
  synchronization: 'Synchronization',
  movementCycle: 'MovementCycle',
};

export const TABLE_OF: Record<RecordKind, TableName> = {
  study: 'study',
  participant: 'participant',
  audioProcessing: 'audio_processing',
  biomechanicsImport: 'biomechanics_import',
  synchronization: 'synchronization',
  movementCycle: 'movement_cycles',
};

/** Names of the top-level lists, for messages. */
export const LIST_NAME: Record<RecordKind, string> = {
  study: 'studies',
  participant: 'participants',
  audioProcessing: 'audioProcessings',
  biomechanicsImport: 'biomechanicsImports',
  synchronization: 'synchronizations',
  movementCycle: 'movementCycles',
};

/**
 * Second names of fields, reading the same column (alias → field). The API calls the
 * participant's number `participantNumber` everywhere; `studyParticipantId`, the entity
 * property, stays readable as its deprecated GraphQL name.
 */
export const FIELD_ALIASES: Partial<Record<RecordKind, Readonly<Record<string, string>>>> = {
  participant: { participantNumber: 'studyParticipantId' },
};

/** How a value arrives from PostgreSQL (MikroORM's connection hands timestamps over as text). */
export type ValueKind = 'timestamp' | 'timestamptz' | 'plain';

/** The JavaScript type of a value, to check values coming back in a cursor. */
export type JsType = 'number' | 'string' | 'boolean' | 'date' | 'array';

export interface FieldColumn {
  /** Name in rows and in GraphQL: the entity property, or `<relation>Id` for a link. */
  field: string;
  column: string;
  value: ValueKind;
  type: JsType;
  /** An int column: a cursor value for it must be a 32-bit integer. */
  integer: boolean;
  nullable: boolean;
}

export interface TableModel {
  kind: RecordKind;
  table: TableName;
  fields: ReadonlyMap<string, FieldColumn>;
  /** Many-to-one relation → the field holding its id (`participant` → `participantId`). */
  relations: ReadonlyMap<string, string>;
}

/** A row as the read layer returns it: field name → JavaScript value. */
export type Row = Record<string, unknown>;

export function buildModels(metadata: MetadataStorage): Record<RecordKind, TableModel> {
  const models = {} as Record<RecordKind, TableModel>;
  for (const kind of RECORD_KINDS) {
    const meta = metadata.get(ENTITY_OF[kind]);
    const fields = new Map<string, FieldColumn>();
    const relations = new Map<string, string>();
    for (const prop of meta.props) {
      if (prop.persist === false || !prop.fieldNames?.length) continue;
      const columnType = String(prop.columnTypes?.[0] ?? '');
      const value: ValueKind = columnType.startsWith('timestamptz')
        ? 'timestamptz'
        : columnType.startsWith('timestamp')
          ? 'timestamp'
          : 'plain';
      if (prop.kind === 'scalar') {
        const type: JsType = columnType.endsWith('[]')
          ? 'array'
          : value !== 'plain'
            ? 'date'
            : prop.runtimeType === 'number'
              ? 'number'
              : prop.runtimeType === 'boolean'
                ? 'boolean'
                : 'string';
        const integer = /^(int|integer|int4|serial)$/.test(columnType);
        fields.set(prop.name, {
          field: prop.name,
          column: prop.fieldNames[0],
          value,
          type,
          integer,
          nullable: !!prop.nullable,
        });
      } else if (prop.kind === 'm:1') {
        const field = `${prop.name}Id`;
        fields.set(field, {
          field,
          column: prop.fieldNames[0],
          value: 'plain',
          type: 'number',
          integer: true,
          nullable: !!prop.nullable,
        });
        relations.set(prop.name, field);
      }
    }
    for (const [alias, of] of Object.entries(FIELD_ALIASES[kind] ?? {})) {
      fields.set(alias, { ...fields.get(of)!, field: alias });
    }
    models[kind] = { kind, table: TABLE_OF[kind], fields, relations };
  }
  return models;
}
