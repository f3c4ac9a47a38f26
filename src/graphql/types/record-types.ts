/**
 * The record types (the entity classes, which are also the GraphQL object types) by the kind
 * the read layer names them with: `AudioProcessing` is `audioProcessing`.
 */
import { ENTITIES } from '../../entities';
import { RECORD_KINDS, type RecordKind } from '../../services/read';

export type RecordType = (typeof ENTITIES)[number];

export function kindOf(type: RecordType): RecordKind {
  const kind = type.name.charAt(0).toLowerCase() + type.name.slice(1);
  if (!(RECORD_KINDS as readonly string[]).includes(kind))
    throw new Error(`${type.name} is not one of the read layer's RECORD_KINDS`);
  return kind as RecordKind;
}

export const RECORD_TYPES = Object.fromEntries(ENTITIES.map((type) => [kindOf(type), type])) as Record<
  RecordKind,
  RecordType
>;

/** The record types whose lists take a filter and an order: every one but study. */
export type ListKind = Exclude<RecordKind, 'study'>;
export const LIST_KINDS: readonly ListKind[] = RECORD_KINDS.filter((kind): kind is ListKind => kind !== 'study');

/** How descriptions name one row and the rows of each list. */
export const ROW_NOUNS: Record<ListKind, { one: string; many: string }> = {
  participant: { one: 'participant', many: 'participants' },
  audioProcessing: { one: 'audio recording', many: 'audio recordings' },
  biomechanicsImport: { one: 'biomechanics import', many: 'biomechanics imports' },
  synchronization: { one: 'synchronization', many: 'synchronizations' },
  movementCycle: { one: 'movement cycle', many: 'movement cycles' },
};
