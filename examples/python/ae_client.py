"""A small client for the knee acoustic-emissions GraphQL API, for notebooks.

    from ae_client import AEClient
    ae = AEClient("http://localhost:4000/graphql")
    cycles = ae.frame("movementCycles", {"studies": ["AOA"], "maneuvers": ["walk"], "isOutlier": False},
                      fields=["cycleIndex", "speed", "durationS", "participant.studyParticipantId"])

Only `requests` and `pandas` are needed.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, Optional, Sequence

import pandas as pd
import requests

_TIME_COLUMN = re.compile(r"(Time|Date|At|Modified)$")


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
        self._filter_types: dict[str, Optional[str]] = {}

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
        return body["data"]

    def pages(self, connection_field: str, filter: Optional[dict[str, Any]] = None, fields: Sequence[str] = ("id",),
              page_size: int = 1000, order_by: Optional[list[dict[str, Any]]] = None) -> Iterator[list[dict[str, Any]]]:
        """Yield the nodes of a connection page by page, following `endCursor` until the last page."""
        filter_type = self._filter_type(connection_field)
        params = ["$first: Int!", "$after: String"]
        args = ["first: $first", "after: $after"]
        if filter is not None and filter_type:
            params.append(f"$filter: {filter_type}")
            args.append("filter: $filter")
        if order_by:
            order_type = self._arg_type(connection_field, "orderBy")
            params.append(f"$orderBy: {order_type}")
            args.append("orderBy: $orderBy")
        document = (
            f"query Page({', '.join(params)}) {{ {connection_field}({', '.join(args)}) "
            f"{{ pageInfo {{ hasNextPage endCursor }} nodes {{ {_selection(fields)} }} }} }}"
        )
        variables: dict[str, Any] = {"first": page_size, "after": None, "filter": filter, "orderBy": order_by}
        while True:
            page = self.query(document, variables)[connection_field]
            yield page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return
            variables["after"] = page["pageInfo"]["endCursor"]

    def frame(self, connection_field: str, filter: Optional[dict[str, Any]] = None, fields: Sequence[str] = ("id",),
              page_size: int = 1000, order_by: Optional[list[dict[str, Any]]] = None) -> pd.DataFrame:
        """Every node of a connection as a DataFrame: nested objects become `parent.child` columns,
        timestamps become datetimes."""
        rows = [node for page in self.pages(connection_field, filter, fields, page_size, order_by) for node in page]
        df = pd.json_normalize(rows, sep=".") if rows else pd.DataFrame(columns=list(fields))
        for column in df.columns:
            if _TIME_COLUMN.search(column.split(".")[-1]):
                df[column] = pd.to_datetime(df[column], utc=True, errors="coerce")
        return df

    def _arg_type(self, field: str, arg: str) -> Optional[str]:
        data = self.query('{ __type(name: "Query") { fields { name args { name type { ...T } } } } }'
                          ' fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }')
        for f in data["__type"]["fields"]:
            if f["name"] == field:
                for a in f["args"]:
                    if a["name"] == arg:
                        return _type_ref(a["type"])
                return None
        raise AEError([{"message": f"Query has no field {field!r}", "extensions": {"code": "CLIENT"}}])

    def _filter_type(self, field: str) -> Optional[str]:
        if field not in self._filter_types:
            self._filter_types[field] = self._arg_type(field, "filter")
        return self._filter_types[field]


def _type_ref(t: dict[str, Any]) -> str:
    if t["kind"] == "NON_NULL":
        return _type_ref(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return "[" + _type_ref(t["ofType"]) + "]"
    return t["name"]


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
