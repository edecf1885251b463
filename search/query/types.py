"""The search core's own request and result types: no Whoosh object crosses this line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from search.documents import ENTITY_FIELDS


class Sort(str, Enum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


# The request's value-list filters that are facets, in the order pages show them.
FACET_FIELDS = (*ENTITY_FIELDS, "sources", "authors")
# How precise an article's date is, as the date facet offers it ("undated": no date at all).
DATE_PRECISIONS = ("day", "month", "year", "undated")


@dataclass(frozen=True)
class SearchRequest:
    """What a user asked: the query text, filters, sort and page."""

    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    people: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()  # (facet field, value): articles with any of these are left out
    precision: tuple[str, ...] = ()  # only articles whose date is this precise (DATE_PRECISIONS)
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = 10
    collapse: bool = True
    cluster: str | None = None  # list the members of one near-duplicate cluster
    facets: bool = True  # False skips facet counting (feeds, exports, benchmarks)
    correct: bool = True  # False searches the words as typed, even those that match nothing
    snippets: bool = True  # False skips highlighting (exports, benchmarks)


@dataclass(frozen=True)
class MarkedText:
    """Text with the query's matches in it marked, as tantivy's Snippet gives a fragment and its highlighted
    ranges: a hit's snippet, or a whole article in its document view. Plain text and character spans; the web
    layer makes it HTML, the command line and exports show the text."""

    text: str = ""
    spans: tuple[tuple[int, int], ...] = ()  # (start, end) of each match in text, in order, never overlapping

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def marked(self) -> tuple[str, ...]:
        """The matched pieces of the text, in order."""
        return tuple(self.text[a:b] for a, b in self.spans)


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    date: str | None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None when undated
    author: str
    source: str
    url: str
    snippet: MarkedText  # the best passages of the body, matches marked (empty when snippets are not asked for)
    score: float
    people: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    similar: int = 0  # other articles in this hit's near-duplicate cluster
    cluster: str = ""
    on_page: int | None = None  # the page of a paged source (PDF, scan) that the snippet is from
    origin: str = ""  # "ocr" or "alto" when the text was read by OCR
    dateline: str = ""  # where the story was filed ("WASHINGTON, March 2"), as the source gives it


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class DateBucket:
    start: date
    end: date  # inclusive
    count: int
    label: str = ""


@dataclass(frozen=True)
class Facets:
    people: tuple[FacetValue, ...] = ()
    organizations: tuple[FacetValue, ...] = ()
    places: tuple[FacetValue, ...] = ()
    sources: tuple[FacetValue, ...] = ()
    authors: tuple[FacetValue, ...] = ()
    dates: tuple[DateBucket, ...] = ()
    date_unit: str = ""  # "year", "month" or "day"
    undated: int = 0
    precision: tuple[FacetValue, ...] = ()  # articles per date precision (DATE_PRECISIONS), ignoring its own filter
    distinct: tuple[tuple[str, int], ...] = ()  # (facet field, how many values it has among these results)
    counted: str = "articles"  # what every count above counts: "articles", or "stories" when versions are folded
    overlap: int = 0  # how far the histogram and undated counts add up past the total (stories in two buckets)

    def more(self, field: str) -> int:
        """How many values of a facet these results hold beyond those listed."""
        listed = sum(1 for v in getattr(self, field) if v.count)
        return max(0, dict(self.distinct).get(field, 0) - listed)


@dataclass(frozen=True)
class FacetPage:
    """One page of a facet's values within a search: filtered by part of a name, by count or A to Z."""

    field: str
    values: tuple[FacetValue, ...]
    total: int  # values that match `contains` (with at least one article among the results)
    page: int = 1
    per_page: int = 50
    contains: str = ""
    order: str = "count"  # "count" (most articles first) or "name" (A to Z)
    counted: str = "articles"  # what each count counts: "stories" when near-duplicates are folded


@dataclass(frozen=True)
class Correction:
    """The query was searched with misspelt words replaced: what was typed, what was searched, and which words."""

    original: str  # the query as typed
    corrected: str  # the query searched
    words: tuple[tuple[str, str], ...]  # (as typed, replacement) for each replaced word


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    total: int  # results to page through: stories when folded (request.collapse), else articles
    hits: tuple[Hit, ...]
    facets: Facets = field(default_factory=Facets)
    suggestion: str | None = None  # did you mean: a query that would match better (not searched)
    notes: tuple[str, ...] = ()
    correction: Correction | None = None  # set when the results are for a corrected query
    unmatched: tuple[str, ...] = ()  # typed words that match nothing in the archive (and were not corrected)
    total_articles: int = 0  # matching articles, every version counted
    stories: int = 0  # matching near-duplicate stories (a cluster once, a lone article its own)
    took_ms: float = 0.0

    @property
    def folded(self) -> int:
        """Versions left out of the results by folding near-duplicates into stories (0 when every version shows)."""
        return self.total_articles - self.stories if self.request.collapse and self.request.cluster is None else 0


@dataclass(frozen=True)
class ExportRow:
    """One exported article: its hit (metadata, entities, snippet) and, when asked for, its whole text."""

    hit: Hit
    text: str = ""


@dataclass(frozen=True)
class Export:
    """Every article a search selects, for the record: counted once, read row by row as they are written."""

    request: SearchRequest
    total: int  # rows the search gives: stories when folded, else articles (every version counted)
    exported: int  # rows that follow: the total, or the limit when the total is larger
    limit: int  # the cap asked for (0: none)
    notes: tuple[str, ...]
    rows: Iterator[ExportRow]
    articles: int = 0  # articles the search matches, every version counted
    stories: int = 0  # near-duplicate stories among them
    folded: bool = False  # one row per story (its first version in this order), not one per article

    @property
    def truncated(self) -> bool:
        return self.exported < self.total


@dataclass(frozen=True)
class DocumentView:
    """One whole article, optionally with every hit of a query highlighted."""

    id: str
    title: str
    date: str | None
    author: str
    source: str
    url: str
    dateline: str
    body: MarkedText  # the whole body, every match of the query marked when one is given (page breaks kept)
    hits: int  # matches marked in the body
    people: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    cluster: str = ""
    pages: int = 0  # pages of a paged source (PDF, scan, ALTO); 0 for an article without pages
    origin: str = ""  # "ocr" or "alto" when the text was read by OCR, so errors are to be expected


@dataclass(frozen=True)
class ArchiveStats:
    """What an archive holds: counts, date span, top entities, size on disk, last update."""

    documents: int
    dated: int
    undated: int
    date_min: date | None
    date_max: date | None
    people: tuple[FacetValue, ...] = ()
    organizations: tuple[FacetValue, ...] = ()
    places: tuple[FacetValue, ...] = ()
    size_bytes: int = 0
    last_update: datetime | None = None
