"""Plain tests of ae_client.py against a running server (run by `npm run test:notebook`).

Needs AE_GRAPHQL_URL (the server) and AE_SQL_URL (its database, for an independent count with psql).
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ae_client import AEClient, AEError  # noqa: E402


def sql_count(query: str) -> int:
    out = subprocess.run(["psql", os.environ["AE_SQL_URL"], "-tAc", query], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


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
                           fields=["cycleIndex", "audioStartTime", "participant.studyParticipantId"], page_size=50)
        self.assertEqual(len(df), sql_count(
            "select count(*) from movement_cycles m join participant p on p.id = m.participant_id "
            "join study s on s.id = p.study_id where s.name = 'preOA' and m.maneuver = 'fe'"))
        self.assertIn("participant.studyParticipantId", df.columns)
        self.assertEqual(str(df["audioStartTime"].dtype), "datetime64[ns, UTC]")

    def test_an_error_response_raises_with_the_server_message(self) -> None:
        with self.assertRaises(AEError) as caught:
            self.ae.query("{ movementCycles(first: 100000) { nodes { id } } }")
        self.assertIn("first", str(caught.exception))
        self.assertEqual(caught.exception.errors[0]["extensions"]["code"], "BAD_USER_INPUT")

    def test_an_unknown_field_raises(self) -> None:
        with self.assertRaises(AEError):
            self.ae.query("{ noSuchField }")


if __name__ == "__main__":
    unittest.main(verbosity=2)
