import { Check, Entity, Unique } from '@mikro-orm/core';
import { ObjectType } from 'type-graphql';
import { BaseRecord } from './base';
import { StringColumn } from './columns';
import { StudyName } from './enums';

@ObjectType({ description: 'A research study (AOA, preOA, SMoCK).', simpleResolvers: true })
@Entity({ tableName: 'study' })
@Check({ name: 'study_name_check', expression: `name ~ '^(${Object.values(StudyName).join('|')})$'` })
export class Study extends BaseRecord {
  // varchar(50) as in the guide, checked against the study names.
  @StringColumn(50, { vocabulary: StudyName, orderable: true })
  @Unique({ name: 'study_name_key' })
  name!: StudyName;
}
