import { Entity, Unique } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { BaseRecord } from './base';
import { IntColumn, ReferenceColumn } from './columns';
import { Study } from './Study';

/** Why the older names of the participant's number (`studyParticipantId`, the argument `number`) are deprecated. */
export const USE_PARTICIPANT_NUMBER = 'Use participantNumber.';

@ObjectType({ description: 'A participant of one study, known by their number inside it (1011 in folder #AOA1011).' })
@Entity({ tableName: 'participant' })
@Unique({ name: 'participant_study_id_study_participant_id_key', properties: ['study', 'studyParticipantId'] })
export class Participant extends BaseRecord {
  @ReferenceColumn(() => Study, { deleteRule: 'cascade', orderable: true })
  study!: Study;

  declare readonly studyId: number;

  @IntColumn({
    min: 0,
    orderable: true,
    description: "The participant's number inside the study.",
    deprecationReason: USE_PARTICIPANT_NUMBER,
  })
  studyParticipantId!: number;

  // The API's name for the number, exposed by src/graphql/participant-number.ts (rows from the
  // read layer carry it as data, see FIELD_ALIASES).
  get participantNumber(): number {
    return this.studyParticipantId;
  }
}
