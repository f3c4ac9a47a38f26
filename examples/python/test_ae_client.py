"""Plain tests of ae_client.py against a running server (run by `npm run test:notebook`).

Needs AE_GRAPHQL_URL (the server) and AE_SQL_URL (its database, for an independent count with psql).
"""
import os
import subprocess
import sys
import unittest

import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from ae_client import AEClient, AEError  # noqa: E402
from ingest_example import example_recording  # noqa: E402


def sql_rows(query: str) -> list[list[str]]:
    """Rows of a query run with psql on the server's database, as text fields (NULL → "")."""
    out = subprocess.run(["psql", os.environ["AE_SQL_URL"], "-tAF", "\t", "-c", query], check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def sql_count(query: str) -> int:
    return int(sql_rows(query)[0][0])


class AEClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.ae = AEClient(os.environ["AE_GRAPHQL_URL"], token=os.environ.get("AE_READ_TOKEN"))
        self.addCleanup(self.ae.close)

    def test_paging_over_many_pages_equals_one_sql_count(self) -> None:
        expected = sql_count(
            "select count(*) from movement_cycles m join participant p on p.id = m.participant_id "
            "join study s on s.id = p.study_id where s.name = 'AOA' and m.maneuver = 'walk' and not m.is_outlier"
        )
        self.assertGreater(expected, 250)
        pages = list(self.ae.pages("movementCycles", {"study": ["AOA"], "maneuver": ["walk"], "isOutlier": False},
                                   fields=["id"], page_size=100))
        self.assertGreater(len(pages), 2)
        ids = [row["id"] for page in pages for row in page]
        self.assertEqual(len(ids), expected)
        self.assertEqual(len(set(ids)), expected)

    def test_frame_flattens_nested_objects_and_parses_timestamps(self) -> None:
        df = self.ae.frame("movementCycles", {"study": ["preOA"], "maneuver": ["fe"]},
                           fields=["cycleIndex", "audioStartTime", "participant.participantNumber"], page_size=50)
        self.assertEqual(len(df), sql_count(
            "select count(*) from movement_cycles m join participant p on p.id = m.participant_id "
            "join study s on s.id = p.study_id where s.name = 'preOA' and m.maneuver = 'fe'"))
        self.assertIn("participant.participantNumber", df.columns)
        self.assertEqual(str(df["audioStartTime"].dtype), "datetime64[ns, UTC]")
        self.assertGreater(len(df), 50)

    def test_float_seconds_named_time_stay_floats_and_only_datetime_fields_become_datetimes(self) -> None:
        # Float fields ending in "Time" (seconds into a recording) next to DateTime fields, top level and nested.
        floats = {"consensusTime": "consensus_time", "alignedSyncTime": "aligned_sync_time",
                  "bioLeftSyncTime": "bio_left_sync_time", "selectedAudioSyncTime": "selected_audio_sync_time"}
        df = self.ae.frame("synchronizations", fields=["id", *floats, "processingDate", "participant.createdAt",
                                                       "audioProcessing.recordingTime"], page_size=40)
        expected = sql_rows(
            f"select id, {', '.join(floats.values())}, "
            "to_char(processing_date at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') from synchronization order by id")
        self.assertGreater(len(expected), 40)  # more than one page
        self.assertEqual(list(df["id"]), [int(row[0]) for row in expected])
        for i, column in enumerate(floats, start=1):
            self.assertEqual(str(df[column].dtype), "float64", column)
            sql = [float(row[i]) if row[i] else float("nan") for row in expected]
            pd.testing.assert_series_equal(df[column], pd.Series(sql, name=column), check_exact=True)
        self.assertGreater(df["consensusTime"].notna().sum(), 0)
        for column in ("processingDate", "participant.createdAt", "audioProcessing.recordingTime"):
            self.assertEqual(str(df[column].dtype), "datetime64[ns, UTC]", column)
        self.assertEqual(list(df["processingDate"]), [pd.Timestamp(row[-1], tz="UTC") for row in expected])
        self.assertGreater(df["processingDate"].min().year, 2000)

    def test_an_empty_frame_keeps_the_schema_types(self) -> None:
        df = self.ae.frame("movementCycles", {"id": [2147483647]}, fields=["id", "startTimeS", "audioStartTime"])
        self.assertEqual(len(df), 0)
        self.assertEqual(str(df["audioStartTime"].dtype), "datetime64[ns, UTC]")
        self.assertFalse(pd.api.types.is_datetime64_any_dtype(df["startTimeS"]))

    def test_groups_equal_the_same_group_by_in_sql(self) -> None:
        df = self.ae.groups("movementCycles", group_by=["knee", "speed"], filter={"maneuver": ["walk"], "study": ["AOA"]},
                            stats=["count", "avg.durationS", "stddev.durationS", "median.durationS", "p90.durationS", "max.cycleFileSizeMb"])
        expected = sql_rows(
            "select m.knee, m.speed, count(*), avg(m.duration_s), stddev_samp(m.duration_s), "
            "percentile_cont(0.5) within group (order by m.duration_s), percentile_cont(0.9) within group (order by m.duration_s), "
            "max(m.cycle_file_size_mb) from movement_cycles m join participant p on p.id = m.participant_id "
            "join study s on s.id = p.study_id where s.name = 'AOA' and m.maneuver = 'walk' group by 1, 2 order by 1, 2"
        )
        self.assertEqual(list(df.columns), ["knee", "speed", "count", "avg.durationS", "stddev.durationS", "median.durationS",
                                            "p90.durationS", "max.cycleFileSizeMb"])
        self.assertEqual(len(df), len(expected))
        self.assertGreater(len(df), 1)
        for (_, row), want in zip(df.iterrows(), expected):
            self.assertEqual([row["knee"], row["speed"], row["count"]], [want[0], want[1], int(want[2])])
            for column, value in zip(df.columns[3:], want[3:]):
                self.assertAlmostEqual(row[column], float(value), places=9, msg=column)

    def test_groups_without_group_by_is_one_row_and_a_bad_p_raises(self) -> None:
        df = self.ae.groups("audioProcessings", stats=["count", "avg.durationSeconds"])
        self.assertEqual(list(df.columns), ["count", "avg.durationSeconds"])
        self.assertEqual(df["count"].tolist(), [sql_count("select count(*) from audio_processing")])
        with self.assertRaises(AEError) as raised:
            self.ae.groups("movementCycles", group_by=["knee"], stats=["percentile(1.5).durationS"])
        self.assertIn("BAD_USER_INPUT", str(raised.exception))
        self.assertIn("p must be a number from 0 to 1", str(raised.exception))

    def test_an_error_response_raises_with_the_server_message(self) -> None:
        with self.assertRaises(AEError) as caught:
            self.ae.query("{ movementCycles(first: 100000) { nodes { id } } }")
        self.assertIn("first", str(caught.exception))
        self.assertEqual(caught.exception.errors[0]["extensions"]["code"], "BAD_USER_INPUT")

    def test_an_unknown_field_raises(self) -> None:
        with self.assertRaises(AEError):
            self.ae.query("{ noSuchField }")


class IngestRecordingTest(unittest.TestCase):
    """ingest_recording against the server, which the test runner starts with AE_WRITE_TOKEN."""

    def setUp(self) -> None:
        self.ae = AEClient(os.environ["AE_GRAPHQL_URL"], token=os.environ["AE_WRITE_TOKEN"])
        self.addCleanup(self.ae.close)
        self.ae.query('mutation { upsertParticipant(study: SMoCK, participantNumber: 9901) { id } }')

    def cycles(self) -> int:
        return sql_count("select count(*) from movement_cycles m join participant p on p.id = m.participant_id "
                         "join study s on s.id = p.study_id where s.name = 'SMoCK' and p.study_participant_id = 9901")

    def test_writes_replaces_and_a_resend_writes_nothing(self) -> None:
        first = self.ae.ingest_recording(example_recording("SMoCK", 9901))
        self.assertEqual(first["movementCycles"], {"inserted": 180, "updated": 0, "unchanged": 0, "deleted": 0})
        self.assertEqual(len(first["synchronizationIds"]), 6)
        self.assertEqual(self.cycles(), 180)
        stamps = sql_rows("select id, updated_at from movement_cycles order by id")
        again = self.ae.ingest_recording(example_recording("SMoCK", 9901))
        self.assertEqual(again["movementCycles"], {"inserted": 0, "updated": 0, "unchanged": 180, "deleted": 0})
        self.assertEqual(sql_rows("select id, updated_at from movement_cycles order by id"), stamps)
        fewer = self.ae.ingest_recording(example_recording("SMoCK", 9901, passes=1, cycles=20))
        self.assertEqual(fewer["synchronization"]["deleted"], 3)
        self.assertEqual(fewer["movementCycles"]["deleted"], 180 - 60)
        self.assertEqual(self.cycles(), 60)

    def test_a_bad_cycle_names_its_path_and_writes_nothing(self) -> None:
        recording = example_recording("SMoCK", 9901, passes=1, cycles=20)
        recording["synchronizations"][2]["movementCycles"][17]["durationS"] = float("nan")  # NaN is missing: required
        before = self.cycles()
        with self.assertRaises(AEError) as caught:
            self.ae.ingest_recording(recording)
        fields = [v["field"] for v in caught.exception.errors[0]["extensions"]["validationErrors"]]
        self.assertEqual(fields, ["synchronizations[2].movementCycles[17].durationS"])
        self.assertEqual(self.cycles(), before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
