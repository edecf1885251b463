"""The soak's mixed load: words, phrases, operators, filters, facets, deep pages, bad parameters, documents, feeds.

Run by bench.soak as ``locust -f bench/locustfile.py --headless ...``. Every response is checked: a 5xx is a server
error, a body that does not parse as what it claims (JSON, HTML page, Atom XML) is malformed, a 4xx is counted as
expected only where the request was meant to be refused. Counts go to the JSON file named by SOAK_COUNTS.
"""

from __future__ import annotations

import json
import os
import random
import threading
import xml.etree.ElementTree as ET
from collections import Counter

from locust import HttpUser, between, events, task

WORDS = [
    "council", "harbour", "port", "election", "museum", "river", "flood", "grant", "ferry", "library", "tram",
    "housing", "market", "trade", "minister", "mayor", "union", "contract", "fishermen", "budget", "school",
    "hospital", "bridge", "festival", "rail", "airport", "Lisbon", "Porto", "Coimbra", "Braga", "Faro",
]  # fmt: skip
PEOPLE = ["Helena Sardinha", "Pieter Vandermolen", "Clara Valadares", "Henrique Almada", "Rita Figueiredo"]
PLACES = ["Lisbon", "Porto", "Coimbra", "Braga", "Faro", "Aveiro", "Sines", "Evora"]
BAD = [
    {"page": "abc"}, {"page": "0"}, {"per_page": "5000"}, {"from": "2024-13-45"}, {"to": "yesterday"},
    {"sort": "sideways"}, {"from": "2024-05-01", "to": "2023-01-01"}, {"q": "x" * 1200},
]  # fmt: skip
COUNTS: Counter = Counter()
MALFORMED: list[str] = []  # a few examples, for the report
SERVER_ERRORS: list[str] = []
LOCK = threading.Lock()


def _count(key: str) -> None:
    with LOCK:
        COUNTS[key] += 1


def _query() -> str:
    kind = random.random()
    if kind < 0.45:
        return " ".join(random.sample(WORDS, random.randint(1, 3)))
    if kind < 0.6:
        return f'"{random.choice(["the", "of the"])} {random.choice(WORDS)}"'
    if kind < 0.75:
        a, b = random.sample(WORDS, 2)
        return random.choice([f"{a} OR {b}", f"{a} AND NOT {b}", f"{a[:4]}*", f"{a}~", f"({a} OR {b}) -{WORDS[0]}"])
    if kind < 0.85:
        return ""  # browse everything
    return random.choice(["title:article", "date:2024", "qu*", "zzzznothing", "article"])


class Reader(HttpUser):
    """One reader or one embedding page: searches, filters, pages, opens documents, reads feeds."""

    wait_time = between(0.05, 0.5)

    def _check(self, response, kind: str, expect_4xx: bool = False) -> dict | None:
        """Classify one response; returns the parsed JSON for the API."""
        status = response.status_code
        if status == 0:
            _count("connection_failures")
            response.failure("no response")
            return None
        if status >= 500:
            _count("server_errors")
            response.failure(f"server error {status}")
            with LOCK:
                if len(SERVER_ERRORS) < 20:
                    SERVER_ERRORS.append(f"{status} {response.url} {response.text[:300]!r}")
            return None
        if 400 <= status < 500:
            if expect_4xx or status == 404:
                _count("client_errors")
                response.success()
                return self._parsed(response, kind)
            _count("unexpected_4xx")
            response.failure(f"unexpected {status}")
            return None
        if expect_4xx:
            _count("accepted_bad_parameters")
        _count("ok")
        return self._parsed(response, kind)

    def _parsed(self, response, kind: str) -> dict | None:
        try:
            if kind == "json":
                data = response.json()
                if response.status_code == 200 and "total" in data:  # a search answer
                    assert isinstance(data["hits"], list) and isinstance(data["total"], int)
                return data
            if kind == "xml":
                ET.fromstring(response.content)
            if kind == "html":
                assert response.text.rstrip().endswith("</html>")
        except Exception as exc:  # any parse or shape failure is a malformed answer
            _count("malformed")
            response.failure(f"malformed {kind}: {exc}")
            with LOCK:
                if len(MALFORMED) < 10:
                    MALFORMED.append(f"{response.status_code} {response.url} {kind}: {exc!r} {response.text[-120:]!r}")
        return None

    def _search_params(self) -> dict[str, str]:
        params = {"q": _query()}
        if random.random() < 0.3:
            params["person" if random.random() < 0.5 else "place"] = random.choice(PEOPLE + PLACES)
        if random.random() < 0.2:
            params["from"], params["to"] = "2024-02-01", "2024-09-30"
        if random.random() < 0.2:
            params["sort"] = random.choice(["newest", "oldest"])
        return params

    @task(10)
    def api_search(self) -> None:
        params = self._search_params()
        with self.client.get("/api/search", params=params, name="/api/search", catch_response=True) as r:
            data = self._check(r, "json")
        if data and data.get("hits") and random.random() < 0.3:
            doc_id = random.choice(data["hits"])["id"]
            with self.client.get(f"/api/documents/{doc_id}", name="/api/documents/[id]", catch_response=True) as r:
                self._check(r, "json")

    @task(5)
    def search_page(self) -> None:
        with self.client.get("/", params=self._search_params(), name="/ (search page)", catch_response=True) as r:
            self._check(r, "html")

    @task(2)
    def deep_page(self) -> None:
        params = {"q": random.choice(["", "council", "harbour OR port"]), "page": str(random.randint(5, 1000))}
        with self.client.get("/api/search", params=params, name="/api/search (deep page)", catch_response=True) as r:
            self._check(r, "json")

    @task(2)
    def bad_parameters(self) -> None:
        params = {"q": random.choice(WORDS), **random.choice(BAD)}
        with self.client.get("/api/search", params=params, name="/api/search (bad params)", catch_response=True) as r:
            self._check(r, "json", expect_4xx=True)

    @task(2)
    def document_page(self) -> None:
        doc = f"article-{random.randint(0, 450):05d}.txt"
        with self.client.get(
            f"/documents/{doc}", params={"q": random.choice(WORDS)}, name="/documents/[id]", catch_response=True
        ) as r:
            self._check(r, "html")

    @task(1)
    def unknown_document(self) -> None:
        with self.client.get(
            "/api/documents/..%2F..%2Fetc%2Fpasswd", name="/api/documents/[bad]", catch_response=True
        ) as r:
            self._check(r, "json", expect_4xx=True)

    @task(1)
    def feed(self) -> None:
        with self.client.get(
            "/feed.atom", params={"q": random.choice(WORDS)}, name="/feed.atom", catch_response=True
        ) as r:
            self._check(r, "xml")

    @task(1)
    def embed(self) -> None:
        with self.client.get("/embed", params={"q": random.choice(WORDS)}, name="/embed", catch_response=True) as r:
            self._check(r, "html")

    @task(1)
    def health(self) -> None:
        with self.client.get("/healthz", name="/healthz", catch_response=True) as r:
            self._check(r, "json")


@events.test_stop.add_listener
def _save_counts(environment, **_kwargs) -> None:
    path = os.environ.get("SOAK_COUNTS")
    if not path:
        return
    stats = environment.stats.total
    with LOCK:
        counts: dict = dict(COUNTS)
        counts["malformed_examples"] = list(MALFORMED)
        counts["server_error_examples"] = list(SERVER_ERRORS)
    counts.update(
        requests=stats.num_requests,
        failures=stats.num_failures,
        p50_ms=stats.get_response_time_percentile(0.5),
        p95_ms=stats.get_response_time_percentile(0.95),
        p99_ms=stats.get_response_time_percentile(0.99),
        rps=round(stats.total_rps, 1),
    )
    with open(path, "w") as out:
        json.dump(counts, out, indent=2)
