import { Entity, ManyToOne, Unique } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { BaseRecord } from './base';
import { IntColumn } from './columns';
import { Study } from './Study';

@ObjectType({ description: 'A participant of one study, known by their number inside it (1011 in folder #AOA1011).', simpleResolvers: true })
@Entity({ tableName: 'participant' })
@Unique({ name: 'participant_study_id_study_participant_id_key', properties: ['study', 'studyParticipantId'] })
export class Participant extends BaseRecord {
  @ManyToOne(() => Study, { deleteRule: 'cascade', index: 'participant_study_id_index' })
  study!: Study;

  @IntColumn({ min: 0, description: "The participant's number inside the study." })
  studyParticipantId!: number;

  // The foreign key as a number, for code holding an entity; GraphQL serves it from
  // relations.ts, which reads read-only rows and entities alike.
  get studyId(): number {
    return this.study.id;
  }

}
