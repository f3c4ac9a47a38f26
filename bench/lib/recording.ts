/**
 * One processed walk recording as the pipeline sends it to ingestRecording: the audio record,
 * its biomechanics import, `passes × speeds` synchronizations and `cycles` cycles each. Used by
 * the ingest tests and `npm run bench:ingest`.
 */
export type Plain = Record<string, any>;

export const SPEEDS = ['slow', 'medium', 'fast'] as const;

export interface RecordingShape {
  study?: string;
  participantNumber?: number;
  /** Synchronizations: passes 1…passes × the three speeds. */
  passes?: number;
  cycles?: number;
  /** Added to every cycle's times: a re-processing that moves the cut points. */
  shiftS?: number;
}

/**
 * The lab's recording set-up as an audio input states it: four channels at 46,875 Hz, the
 * microphones at IPM, IPL, SPM and SPL (the sample data's set-up too).
 */
export const LAB_SETUP = {
  numChannels: 4,
  sampleRate: 46875,
  mic1Position: 'IPM',
  mic2Position: 'IPL',
  mic3Position: 'SPM',
  mic4Position: 'SPL',
} as const;

const at = (base: Date, seconds: number) => new Date(base.getTime() + Math.round(seconds * 1000));

export function walkRecording(o: RecordingShape = {}): Plain {
  const study = o.study ?? 'AOA';
  const participantNumber = o.participantNumber ?? 1001;
  const start = new Date('2024-03-05T09:30:00Z');
  const synchronizations: Plain[] = [];
  let offset = 5;
  for (let pass = 1; pass <= (o.passes ?? 2); pass++) {
    for (const speed of SPEEDS) {
      const movementCycles: Plain[] = [];
      for (let i = 0; i < (o.cycles ?? 30); i++) {
        const s = offset + i * 1.1 + (o.shiftS ?? 0);
        movementCycles.push({
          cycleFile: `${study}${participantNumber}_left_walk_p${pass}_${speed}_c${i}.pkl`,
          cycleIndex: i,
          isOutlier: i % 13 === 7,
          startTimeS: s,
          endTimeS: s + 1.05,
          durationS: 1.05,
          audioStartTime: at(start, s),
          audioEndTime: at(start, s + 1.05),
          bioStartTime: at(start, s),
          bioEndTime: at(start, s + 1.05),
          processingStatus: 'success',
        });
      }
      synchronizations.push({
        passNumber: pass,
        speed,
        bioLeftSyncTime: offset,
        bioRightSyncTime: offset + 0.6,
        bioSyncOffset: 0.6,
        consensusTime: offset,
        syncMethod: 'consensus',
        consensusMethods: 'rms,onset,freq',
        stompDetectionMethods: ['consensus', 'biomechanics'],
        selectedStompMethod: 'consensus',
        bioSelectedSyncTime: offset,
        contraBioSelectedSyncTime: offset + 0.6,
        syncFileName: `${study}${participantNumber}_left_walk_p${pass}_${speed}.pkl`,
        totalCyclesExtracted: movementCycles.length,
        cleanCycles: movementCycles.filter((c) => !c.isOutlier).length,
        outlierCycles: movementCycles.filter((c) => c.isOutlier).length,
        processingStatus: 'success',
        processingDate: new Date('2024-03-07T12:00:00Z'),
        movementCycles,
      });
      offset += 40;
    }
  }
  return {
    audio: {
      study,
      participantNumber,
      audioFileName: `${study}${participantNumber}_left_walk.bin`,
      deviceSerial: 'HP_W11.2-3',
      firmwareVersion: 6,
      fileTime: start,
      fileSizeMb: 94.2,
      recordingDate: new Date('2024-03-05T00:00:00Z'),
      recordingTime: start,
      recordingTimezone: 'UTC',
      knee: 'left',
      maneuver: 'walk',
      ...LAB_SETUP,
      audioQcVersion: '2.1.0',
      durationSeconds: 300,
      processingStatus: 'success',
      processingDate: new Date('2024-03-07T12:00:00Z'),
    },
    biomechanics: {
      biomechanicsFile: `${study}${participantNumber}_Biomechanics_Full_Set.xlsx`,
      sheetName: `${study}${participantNumber}_Walk0001`,
      biomechanicsType: 'Motion Analysis',
      biomechanicsSyncMethod: 'stomp',
      biomechanicsSampleRate: 100,
      numSubRecordings: 1,
      durationSeconds: offset,
      numDataPoints: offset * 100,
      numPasses: o.passes ?? 2,
      processingStatus: 'success',
      processingDate: new Date('2024-03-07T12:00:00Z'),
    },
    synchronizations,
  };
}
