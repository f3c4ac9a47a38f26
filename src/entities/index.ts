export * from './enums';
export { BaseRecord, ProcessingRecord } from './base';
export { Study } from './Study';
export { Participant, USE_PARTICIPANT_NUMBER } from './Participant';
export { AudioProcessing } from './AudioProcessing';
export { BiomechanicsImport } from './BiomechanicsImport';
export { Synchronization } from './Synchronization';
export { MovementCycle } from './MovementCycle';

import { Study } from './Study';
import { Participant } from './Participant';
import { AudioProcessing } from './AudioProcessing';
import { BiomechanicsImport } from './BiomechanicsImport';
import { Synchronization } from './Synchronization';
import { MovementCycle } from './MovementCycle';

/** Every mapped table, parents before children. */
export const ENTITIES = [Study, Participant, AudioProcessing, BiomechanicsImport, Synchronization, MovementCycle];

/** Table names exactly as in the operations guide, parents before children. */
export const TABLES = [
  'study',
  'participant',
  'audio_processing',
  'biomechanics_import',
  'synchronization',
  'movement_cycles',
] as const;
export type TableName = (typeof TABLES)[number];
