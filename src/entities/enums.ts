/**
 * The lab's controlled vocabulary. Stored values and GraphQL enum values are spelled the
 * same (the enum *key* is the GraphQL name, the *value* is what the database stores);
 * the one exception is `Motion Analysis`, whose GraphQL name cannot contain a space.
 */
import { registerEnumType } from 'type-graphql';

export enum StudyName {
  AOA = 'AOA',
  preOA = 'preOA',
  SMoCK = 'SMoCK',
}
export enum Knee {
  left = 'left',
  right = 'right',
}
export enum Maneuver {
  fe = 'fe',
  sts = 'sts',
  walk = 'walk',
}
export enum WalkSpeed {
  slow = 'slow',
  medium = 'medium',
  fast = 'fast',
  comfortable = 'comfortable',
}
export enum MicPosition {
  IPM = 'IPM',
  IPL = 'IPL',
  SPM = 'SPM',
  SPL = 'SPL',
}
export enum BiomechanicsType {
  Gonio = 'Gonio',
  IMU = 'IMU',
  Motion_Analysis = 'Motion Analysis',
}
export enum BiomechanicsSyncMethod {
  flick = 'flick',
  stomp = 'stomp',
}
export enum SyncMethod {
  consensus = 'consensus',
  biomechanics = 'biomechanics',
}
export enum StompDetectionMethod {
  audio = 'audio',
  consensus = 'consensus',
  biomechanics = 'biomechanics',
}
export enum ArtifactType {
  Intermittent = 'Intermittent',
  Continuous = 'Continuous',
}
export enum ProcessingStatus {
  not_processed = 'not_processed',
  success = 'success',
  error = 'error',
}

registerEnumType(StudyName, { name: 'StudyName', description: 'Study the participant belongs to.' });
registerEnumType(Knee, { name: 'Knee' });
registerEnumType(Maneuver, {
  name: 'Maneuver',
  description: 'fe = flexion-extension, sts = sit-to-stand, walk = gait.',
});
registerEnumType(WalkSpeed, { name: 'WalkSpeed' });
registerEnumType(MicPosition, {
  name: 'MicPosition',
  description: 'Microphone placement (infra/supra-patellar, medial/lateral).',
});
registerEnumType(BiomechanicsType, {
  name: 'BiomechanicsType',
  valuesConfig: { Motion_Analysis: { description: 'Stored as "Motion Analysis".' } },
});
registerEnumType(BiomechanicsSyncMethod, { name: 'BiomechanicsSyncMethod' });
registerEnumType(SyncMethod, { name: 'SyncMethod' });
registerEnumType(StompDetectionMethod, { name: 'StompDetectionMethod' });
registerEnumType(ArtifactType, { name: 'ArtifactType' });
registerEnumType(ProcessingStatus, { name: 'ProcessingStatus' });
