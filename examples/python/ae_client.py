"""A small client for the knee acoustic-emissions GraphQL API, for notebooks.

    from ae_client import AEClient
    ae = AEClient("http://localhost:4000/graphql")
    cycles = ae.frame("movementCycles", {"study": ["AOA"], "maneuver": ["walk"], "isOutlier": False},
                      fields=["cycleIndex", "speed", "durationS", "audioStartTime", "participant.participantNumber"])

    speeds = ae.groups("movementCycles", group_by=["speed"], filter={"maneuver": ["walk"]},
                       stats=["count", "avg.durationS", "median.durationS"])

`audioStartTime` is typed `DateTime` in the schema, so it arrives as a UTC datetime column; `durationS`
(a Float) stays a float. Only `requests` and `pandas` are needed.
"""
from __future__ import annotations

import math
import re
import warnings
from datetime import date, datetime, timezone
from typing import Any, Iterable, Iterator, Optional, Sequence, cast

import pandas as pd
import requests

# Asked once per client, on first need: the root fields' arguments and the named type of every object field.
_SCHEMA = ("query Schema { __schema { queryType { name fields { name args { name type { ...T } } } } "
           "types { name fields(includeDeprecated: true) { name type { ...T } } } } } "
           "fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }")


_INGEST = ("mutation Ingest($input: RecordingInput!) { ingestRecording(input: $input) { "
           "audioProcessingId biomechanicsImportId synchronizationIds "
           + " ".join(f"{t} {{ inserted updated unchanged deleted }}"
                      for t in ("audioProcessing", "biomechanicsImport", "synchronization", "movementCycles"))
           + " } }")


class AEError(Exception):
    """The API answered with GraphQL errors; `errors` holds them as the server sent them."""

    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        lines = []
        for e in errors:
            code = (e.get("extensions") or {}).get("code", "ERROR")
            lines.append(f"{code}: {e.get('message')}")
            for v in (e.get("extensions") or {}).get("validationErrors", []) or []:
                where = f"[{v['index']}] " if v.get("index") is not None else ""
                lines.append(f"  {where}{v.get('field')}: {v.get('message')} ({v.get('rule')})")
        super().__init__("\n".join(lines))


class AEClient:
    """GraphQL over HTTP with the API's token, plus cursor paging into DataFrames."""

    def __init__(self, url: str = "http://localhost:4000/graphql", token: Optional[str] = None, timeout: float = 120):
        self.url = url
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["content-type"] = "application/json"
        if token:
            self.session.headers["authorization"] = f"Bearer {token}"
        self._types: Optional[dict[str, dict[str, str]]] = None  # object type → field → named type
        self._args: dict[str, dict[str, str]] = {}  # root field → argument → type, e.g. "[MovementCycleOrder!]"
        self._root = "Query"

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.session.close()

    def query(self, document: str, variables: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Run one operation and return its `data`; raise AEError when the server reports errors."""
        response = self.session.post(self.url, json={"query": document, "variables": variables or {}}, timeout=self.timeout)
        try:
            body = response.json()
        except ValueError:
            response.raise_for_status()
            raise
        if body.get("errors"):
            raise AEError(body["errors"])
        response.raise_for_status()
        return cast("dict[str, Any]", body["data"])

    def ingest_recording(self, recording: dict[str, Any]) -> dict[str, Any]:
        """Write one processed recording in one transaction (needs a write token) and return what happened.

            ae.ingest_recording({"audio": {...}, "biomechanics": {...},
                                 "synchronizations": [{"passNumber": 1, "speed": "slow", ..., "movementCycles": [...]}]})

        Keys are the GraphQL field names (`audioFileName`, `startTimeS`, …): the audio record (with `study` and
        `participantNumber`), its biomechanics import and its synchronizations, each with its movement cycles. The
        server fills in what the recording determines (participant, knee, maneuver, the ids, a cycle's pass and speed).
        Afterwards exactly these synchronizations and cycles belong to the audio record; sending the same recording
        again writes nothing. Datetimes may be `datetime`, `date` or pandas Timestamps (naive ones are taken as UTC),
        NaN means missing, and "Motion Analysis" is sent as its GraphQL name. A broken rule raises AEError listing
        each field by its path, e.g. `synchronizations[2].movementCycles[17].endTimeS`, and nothing is written.
        Returns {"audioProcessingId", "biomechanicsImportId", "synchronizationIds", and per table
        {"inserted", "updated", "unchanged", "deleted"}}.
        """
        return cast("dict[str, Any]", self.query(_INGEST, {"input": _json_ready(recording)})["ingestRecording"])

    def pages(self, connection_field: str, filter: Optional[dict[str, Any]] = None, fields: Sequence[str] = ("id",),
              page_size: int = 1000, order_by: Optional[list[dict[str, Any]]] = None) -> Iterator[list[dict[str, Any]]]:
        """Yield the nodes of a connection page by page, following `endCursor` until the last page.

            for nodes in ae.pages("synchronizations", {"maneuver": ["fe"]}, fields=["id", "consensusTime"]): ...
        """
        variables: dict[str, Any] = {"first": page_size, "after": None}
        params, args = ["$first: Int!", "$after: String"], ["first: $first", "after: $after"]
        for name, value in (("filter", filter), ("orderBy", order_by)):
            if value is not None:
                params.append(f"${name}: {self._arg_type(connection_field, name)}")
                args.append(f"{name}: ${name}")
                variables[name] = value
        document = (f"query Page({', '.join(params)}) {{ {connection_field}({', '.join(args)}) "
                    f"{{ pageInfo {{ hasNextPage endCursor }} nodes {{ {_selection(fields)} }} }} }}")
        while True:
            page = self.query(document, variables)[connection_field]
            yield page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return
            variables["after"] = page["pageInfo"]["endCursor"]

    def frame(self, connection_field: str, filter: Optional[dict[str, Any]] = None, fields: Sequence[str] = ("id",),
              page_size: int = 1000, order_by: Optional[list[dict[str, Any]]] = None) -> pd.DataFrame:
        """Every node of a connection as a DataFrame: nested objects become `parent.child` columns, and the
        fields the schema types `DateTime` (only those) become datetime64[ns, UTC] columns.

            ae.frame("synchronizations", {"study": ["AOA"]}, fields=["id", "processingDate", "consensusTime"],
                     order_by=[{"field": "processingDate", "direction": "DESC"}])
        """
        rows = [node for page in self.pages(connection_field, filter, fields, page_size, order_by) for node in page]
        df = pd.json_normalize(rows, sep=".") if rows else pd.DataFrame(columns=list(fields))
        for column in df.columns:
            if self._type_at([connection_field, "nodes", *column.split(".")]) == "DateTime":
                parsed = pd.to_datetime(df[column], utc=True, errors="coerce")
                if parsed.isna().sum() == df[column].isna().sum():
                    df[column] = parsed
                else:  # pandas' datetime64[ns] spans the years 1677–2262 only
                    warnings.warn(f"{column}: dates outside pandas' range; the column is left as ISO 8601 text")
        return df

    def groups(self, record: str, group_by: Sequence[str] = (), filter: Optional[dict[str, Any]] = None,
               stats: Sequence[str] = ("count",)) -> pd.DataFrame:
        """Counts and statistics per group, computed by PostgreSQL (`<record>Groups`): one row per group, ordered by
        key, with a column per `group_by` field and one per statistic, named as asked.

            ae.groups("movementCycles", group_by=["speed", "knee"], filter={"maneuver": ["walk"], "isOutlier": False},
                      stats=["count", "avg.durationS", "stddev.durationS", "median.durationS", "p90.durationS"])

        `record` is a list name (`movementCycles`, `audioProcessings`, `participants`, …). `group_by` takes `study`,
        `participantNumber` and the record's enum, boolean and integer fields; empty, it gives one row over everything
        the filter selects. `stats`: "count", "<sum|avg|min|max|stddev>.<field>", "median.<field>",
        "p<NN>.<field>" (percentile NN/100) or "percentile(<p>).<field>" with p from 0 to 1, for numeric fields.
        """
        field = record if record.endswith("Groups") else f"{record[:-1] if record.endswith('s') else record}Groups"
        objects: dict[str, tuple[str, list[str]]] = {}  # GraphQL selection → (alias, fields)
        columns: list[tuple[str, Optional[str], Optional[str]]] = []  # (column, alias, field); count has no alias
        for stat in stats:
            if stat == "count":
                columns.append((stat, None, None))
                continue
            m = re.fullmatch(r"(sum|avg|min|max|stddev|median|p(\d+(?:\.\d+)?)|percentile\(([^)]*)\))\.(\w+)", stat)
            if not m:
                raise ValueError(f"stats: {stat!r} is not count, <sum|avg|min|max|stddev|median|pNN|percentile(p)>.<field>")
            name, pct, p, column = m.groups()
            selection = (f"percentile(p: {float(p)!r})" if p is not None else f"percentile(p: {float(pct) / 100!r})" if pct
                         else "percentile(p: 0.5)" if name == "median" else name)
            alias, fields = objects.setdefault(selection, (f"s{len(objects)}", []))
            if column not in fields:
                fields.append(column)
            columns.append((stat, alias, column))
        params = [f"$groupBy: {self._arg_type(field, 'groupBy')}"]
        args = ["groupBy: $groupBy"]
        variables: dict[str, Any] = {"groupBy": list(group_by)}
        if filter is not None:
            params.append(f"$filter: {self._arg_type(field, 'filter')}")
            args.append("filter: $filter")
            variables["filter"] = filter
        selection = " ".join(f"{alias}: {sel} {{ {' '.join(fields)} }}" for sel, (alias, fields) in objects.items())
        document = (f"query Groups({', '.join(params)}) {{ {field}({', '.join(args)}) "
                    f"{{ key {{ __typename {' '.join(group_by)} }} count {selection} }} }}")
        rows = [{**{k: g["key"][k] for k in group_by},
                 **{c: (g["count"] if alias is None else g[alias][f]) for c, alias, f in columns}}
                for g in self.query(document, variables)[field]]
        df = pd.DataFrame(rows, columns=[*group_by, *[c for c, _, _ in columns]])
        for c, alias, _ in columns:
            if alias is not None:
                df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
        return df

    def _introspect(self) -> dict[str, dict[str, str]]:
        """Object type → field → named type, from one introspection query on first use."""
        if self._types is None:
            schema = self.query(_SCHEMA)["__schema"]
            self._root = schema["queryType"]["name"]
            self._args = {f["name"]: {a["name"]: _type_ref(a["type"]) for a in f["args"]} for f in schema["queryType"]["fields"]}
            self._types = {t["name"]: {f["name"]: _type_ref(f["type"]).strip("[]!") for f in t["fields"]}
                           for t in schema["types"] if t["fields"] is not None}
        return self._types

    def _type_at(self, path: list[str]) -> Optional[str]:
        """The named type at the end of a path from the root: ["movementCycles", "nodes", "durationS"] → "Float"."""
        types = self._introspect()
        name: Optional[str] = self._root
        for part in path:
            name = types.get(name or "", {}).get(part)
        return name

    def _arg_type(self, field: str, arg: str) -> str:
        """The declared type of a root field's argument, for a variable definition."""
        self._introspect()
        if arg not in self._args.get(field, {}):
            raise AEError([{"message": f"{self._root}.{field} takes no argument {arg!r}", "extensions": {"code": "CLIENT"}}])
        return self._args[field][arg]


def _json_ready(value: Any, key: str = "") -> Any:
    """A recording as JSON the API takes: ISO 8601 UTC times, None for NaN, plain Python numbers, enum names."""
    if isinstance(value, dict):
        return {k: _json_ready(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v, key) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if key == "biomechanicsType" and isinstance(value, str):
        return value.replace(" ", "_")  # "Motion Analysis" is the enum value Motion_Analysis
    return value


def _type_ref(t: dict[str, Any]) -> str:
    """An introspected type as written in a variable definition: "[MovementCycleOrder!]"."""
    if t["kind"] == "NON_NULL":
        return _type_ref(t["ofType"]) + "!"
    return f"[{_type_ref(t['ofType'])}]" if t["kind"] == "LIST" else str(t["name"])


def _selection(paths: Iterable[str]) -> str:
    """["a", "b.c", "b.d"] → "a b { c d }"."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})

    def render(node: dict[str, Any]) -> str:
        return " ".join(k + (f" {{ {render(v)} }}" if v else "") for k, v in node.items())

    return render(tree)
