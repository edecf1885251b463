"""Arbitrary strings, unicode, control characters, huge inputs and odd operators at the search core and at every
parameter of every endpoint: never a 500, never an unhandled exception, a well-formed answer, bounded time.

Times are measured and printed (run with -s), not asserted; hypothesis's per-example deadline is generous.
"""

from __future__ import annotations

import json
import os
import time
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query import MarkedText, SearchRequest, Sort, document, open_index, related, search
from search.web import create_app
from search.web.settings import Settings

FUZZ = Counter()  # cases tried per target, recorded into BENCHMARKS.md when RECORD_RELIABILITY=1
SLOWEST: dict[str, float] = {}
SETTINGS = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "120")),
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    derandomize=True,  # the same cases on every run: a failure is reproducible, make test is stable
)

OPERATORS = [
    "AND", "OR", "NOT", "(", ")", '"', "*", "?", "~", "~2", "^", "^3", ":", "-", "+", "[", "]", "{", "}", "TO",
    "title:", "body:", "date:", "person:", "org:", "place:", "source:", "date:[2020 TO", "date:>2023", "\\", "/",
    "*:*", "<", ">", "=", "!", "&&", "||", "'", "%", "%00", "&#0;", "${x}", "{{7*7}}", "<script>", "\u202e",
]  # fmt: skip
WORDS = ["council", "harbour", "Lisbon", "ferry", "budget", "library", "braga", "a", "the", "x" * 300, "é", "東京"]
any_text = st.text(st.characters(codec="utf-8"), max_size=300)  # every code point but lone surrogates
control_text = st.text(st.characters(max_codepoint=0x9F), max_size=200)  # C0/C1 controls, DEL, ASCII
huge_text = st.integers(1_001, 200_000).map(lambda n: ("council " * (n // 8 + 1))[:n])
query_text = st.one_of(
    any_text,
    control_text,
    st.lists(st.sampled_from(OPERATORS + WORDS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(OPERATORS + WORDS), max_size=40).map("".join),
)


def _timed(target: str, started: float) -> None:
    FUZZ[target] += 1
    SLOWEST[target] = max(SLOWEST.get(target, 0.0), time.perf_counter() - started)


@pytest.fixture(scope="module")
def archive(samples_index: Path):
    return open_index(samples_index)


@pytest.fixture(scope="module")
def client(samples_index: Path):
    return create_app(Settings(index_dir=samples_index)).test_client()


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    for target in sorted(FUZZ):
        print(f"fuzz {target}: {FUZZ[target]} cases, slowest {SLOWEST.get(target, 0) * 1000:.0f} ms")
    if os.environ.get("RECORD_RELIABILITY") == "1":
        from bench.reliability_report import record_fuzz

        slowest = {k: v * 1000 for k, v in SLOWEST.items()}
        record_fuzz(dict(FUZZ), slowest)


# -- the search core -----------------------------------------------------------------------------------


@SETTINGS
@given(
    q=st.one_of(query_text, huge_text),
    people=st.lists(any_text, max_size=3),
    sort=st.sampled_from(list(Sort)),
    page=st.integers(1, 10**6),
    per_page=st.integers(1, 1000),
    collapse=st.booleans(),
)
def test_core_search_answers_any_query_without_raising(archive, q, people, sort, page, per_page, collapse) -> None:
    started = time.perf_counter()
    request = SearchRequest(q=q, people=tuple(people), sort=sort, page=page, per_page=per_page, collapse=collapse)
    result = search(archive, request)
    _timed("core search()", started)
    assert result.total >= 0
    assert len(result.hits) <= per_page
    for hit in result.hits:
        assert isinstance(hit.snippet, MarkedText)
        assert all(0 <= a < b <= len(hit.snippet.text) for a, b in hit.snippet.spans)


@SETTINGS
@given(doc_id=st.one_of(any_text, control_text, st.sampled_from(["../../etc/passwd", "..", "/", "a" * 10_000])),
       q=query_text)  # fmt: skip
def test_core_document_and_related_take_any_id_without_raising(archive, doc_id, q) -> None:
    started = time.perf_counter()
    view = document(archive, doc_id, q=q or None)
    assert view is None or view.id == doc_id
    related(archive, doc_id, limit=5)
    _timed("core document()/related()", started)


# -- every parameter of every endpoint -----------------------------------------------------------------

SEARCH_PARAMS = ["q", "from", "to", "sort", "page", "per_page", "person", "org", "place", "source", "cluster"]
SEARCH_ENDPOINTS = ["/api/search", "/", "/embed", "/feed.atom", "/export.csv", "/export.json"]
raw_value = st.one_of(
    any_text.map(lambda s: quote(s, safe="")),
    st.binary(max_size=200).map(lambda b: quote_from_bytes(b, safe="")),  # invalid UTF-8, NULs, anything
    st.sampled_from(["", "0", "-1", "1e9", "99999999999999999999", "NaN", "1.5", "0x10", " 7 ", "２"]),
    st.sampled_from(["1987", "1987-02", "1987-02-30", "0000-01-01", "9999-12-31", "2024-13-01", "1987-1-1"]),
    huge_text.map(lambda s: quote(s[:20_000])),
)


def _check_answer(path: str, response) -> None:
    assert response.status_code < 500, (path[:300], response.status_code, response.data[:500])
    assert response.status_code in (200, 400, 404, 414), (path[:300], response.status_code)
    body = response.data
    if path.startswith("/api/") or path.startswith("/export.json") or response.mimetype == "application/json":
        data = json.loads(body)
        if response.status_code == 400:
            assert data["error"] == "bad_parameter" and data["parameter"] and data["fix"]
    elif path.startswith("/feed.atom") and response.status_code == 200:
        ET.fromstring(body)  # an Atom feed must stay well-formed XML whatever the query held
    elif response.mimetype == "text/html":
        assert b"Traceback" not in body
        assert body.rstrip().endswith(b"</html>")


@SETTINGS
@given(
    endpoint=st.sampled_from(SEARCH_ENDPOINTS),
    params=st.lists(st.tuples(st.sampled_from([*SEARCH_PARAMS, "unknown", "q[]", ""]), raw_value), max_size=6),
)
def test_every_search_endpoint_answers_any_parameters_cleanly(client, endpoint, params) -> None:
    path = endpoint + "?" + "&".join(f"{name}={value}" for name, value in params)
    started = time.perf_counter()
    response = client.get(path)
    _timed("HTTP search endpoints", started)
    _check_answer(path, response)


@SETTINGS
@given(
    endpoint=st.sampled_from(["/api/documents/{}", "/documents/{}", "/api/documents/{}/related"]),
    doc_id=st.one_of(
        any_text.filter(bool).map(lambda s: quote(s, safe="")),
        st.binary(min_size=1, max_size=100).map(lambda b: quote_from_bytes(b, safe="")),
        st.sampled_from(["..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/wsgi.py", "....//....//", "%00", "a" * 5000]),
    ),
    q=raw_value,
)
def test_document_endpoints_answer_any_id_and_query_cleanly(client, endpoint, doc_id, q) -> None:
    path = endpoint.format(doc_id) + "?q=" + q
    started = time.perf_counter()
    response = client.get(path)
    _timed("HTTP document endpoints", started)
    _check_answer(path, response)


def test_the_feed_stays_well_formed_xml_for_a_query_full_of_control_characters(client) -> None:
    for q in ["\x01council\x02", "council\x1b[31m", "council\x7f", "\x0c\x0b", "council\ufffe\uffff"]:
        response = client.get("/feed.atom?q=" + quote(q))
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            ET.fromstring(response.data)


# -- schema-driven fuzz of the JSON API ----------------------------------------------------------------


def test_schemathesis_finds_no_server_error_in_the_documented_api(client, samples_index: Path) -> None:
    """Every operation in /api/openapi.json, driven by schemathesis: no 5xx, answers match the schema."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    app = create_app(Settings(index_dir=samples_index))
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    examples = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "60"))
    failures: list[str] = []
    checks = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
    for result in schema.get_all_operations():
        _fuzz_operation(result.ok(), examples, checks, failures)
    assert not failures, "\n".join(sorted(set(failures))[:20])


def _fuzz_operation(operation, examples: int, checks: tuple, failures: list[str]) -> None:
    """Run one API operation's schemathesis cases, collecting failed checks into ``failures``."""

    @settings(max_examples=examples, deadline=timedelta(seconds=20), derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def run(case) -> None:
        FUZZ[f"schemathesis {operation.label}"] += 1
        response = case.call()
        for check in checks:
            try:
                case.validate_response(response, checks=(check,))
            except Exception as exc:  # collect every kind of failure, then report them together
                failures.append(f"{operation.label} {check.__name__}: {str(exc)[:300]}")

    run()
