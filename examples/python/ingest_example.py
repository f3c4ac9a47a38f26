"""Send one processed recording to the API with `AEClient.ingest_recording`, as the pipeline would after it has
run QC, synchronized the audio with the biomechanics and cut the cycles.

    AE_GRAPHQL_URL=http://localhost:4000/graphql AE_WRITE_TOKEN=... python3 examples/python/ingest_example.py AOA 1011

The participant must exist (the `upsertParticipant` mutation creates it). Running the script twice writes
nothing the second time; edit the recording (fewer passes, fewer cycles) and run it again to see the rows that
are no longer produced removed.
"""
from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
from ae_client import AEClient  # noqa: E402


def example_recording(study: str, number: int, passes: int = 2, cycles: int = 30) -> dict[str, Any]:
    """A left-knee walk: the audio record, its biomechanics, passes × 3 speeds synchronizations, `cycles` cycles each."""
    start = datetime(2024, 3, 5, 9, 30, tzinfo=timezone.utc)
    name = f"{study}{number}"
    synchronizations = []
    offset = 5.0
    for pass_number in range(1, passes + 1):
        for speed in ("slow", "medium", "fast"):
            steps = [offset + i * 1.1 for i in range(cycles)]
            synchronizations.append({
                "passNumber": pass_number, "speed": speed,
                "bioLeftSyncTime": offset, "bioRightSyncTime": offset + 0.6, "consensusTime": offset,
                "syncMethod": "consensus", "stompDetectionMethods": ["consensus", "biomechanics"],
                "bioSelectedSyncTime": offset, "contraBioSelectedSyncTime": offset + 0.6,
                "syncFileName": f"{name}_left_walk_p{pass_number}_{speed}.pkl",
                "totalCyclesExtracted": cycles, "cleanCycles": cycles, "outlierCycles": 0, "processingStatus": "success",
                "movementCycles": [{
                    "cycleFile": f"{name}_left_walk_p{pass_number}_{speed}_c{i}.pkl", "cycleIndex": i,
                    "startTimeS": t, "endTimeS": t + 1.05, "durationS": 1.05,
                    "audioStartTime": start + timedelta(seconds=t), "audioEndTime": start + timedelta(seconds=t + 1.05),
                    "bioStartTime": start + timedelta(seconds=t), "bioEndTime": start + timedelta(seconds=t + 1.05),
                    "processingStatus": "success",
                } for i, t in enumerate(steps)],
            })
            offset += 40
    return {
        "audio": {
            "study": study, "participantNumber": number, "audioFileName": f"{name}_left_walk.bin",
            "deviceSerial": "HP_W11.2-3", "firmwareVersion": 6, "fileTime": start, "fileSizeMb": 94.2,
            "recordingDate": start.date(), "recordingTime": start, "knee": "left", "maneuver": "walk",
            "numChannels": 4, "mic1Position": "IPM", "mic2Position": "IPL", "mic3Position": "SPM", "mic4Position": "SPL",
            "durationSeconds": 300.0, "processingStatus": "success",
        },
        "biomechanics": {
            "biomechanicsFile": f"{name}_Biomechanics_Full_Set.xlsx", "sheetName": f"{name}_Walk0001",
            "biomechanicsType": "Motion Analysis", "biomechanicsSyncMethod": "stomp", "biomechanicsSampleRate": 100.0,
            "numSubRecordings": 1, "durationSeconds": offset, "numDataPoints": int(offset * 100), "numPasses": passes,
            "processingStatus": "success",
        },
        "synchronizations": synchronizations,
    }


if __name__ == "__main__":
    study, number = (sys.argv[1], int(sys.argv[2])) if len(sys.argv) > 2 else ("AOA", 1011)
    ae = AEClient(os.environ.get("AE_GRAPHQL_URL", "http://localhost:4000/graphql"), token=os.environ.get("AE_WRITE_TOKEN"))
    result = ae.ingest_recording(example_recording(study, number))
    print(f"audio record {result['audioProcessingId']}, biomechanics import {result['biomechanicsImportId']}, "
          f"synchronizations {result['synchronizationIds']}")
    for table in ("audioProcessing", "biomechanicsImport", "synchronization", "movementCycles"):
        print(f"  {table:20} {result[table]}")
