/**
 * What Apollo Sandbox shows when a researcher first opens /graphql: the example queries of
 * examples/queries.graphql (the participant overview first), ready to run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../config';

/** Used when the examples folder is not shipped (e.g. a trimmed container image). */
const FALLBACK = `# What a participant has: one row per knee × maneuver.
query ParticipantOverview {
  participantOverview(study: AOA, number: 1001) {
    study participantNumber
    rows { knee maneuver audioRecordings audioQcFailed synchronizations cycles outlierCycles }
  }
}
`;

export function sandboxDocument(): string {
  const file = join(projectRoot(), 'examples', 'queries.graphql');
  return existsSync(file) ? readFileSync(file, 'utf8') : FALLBACK;
}
