"""Read an HTML page's metadata (title, date, author, canonical URL, site name) with BeautifulSoup."""

from __future__ import annotations

import calendar
import json
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, SoupStrainer
from bs4.element import Tag

from search.documents import PartialDate

log = logging.getLogger(__name__)

# Meta tags (property=, name= or itemprop=) that carry the first-publication date, best first.
DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "date",
    "originalpublicationdate",
    "publication_date",
    "citation_publication_date",
    "citation_date",
)
AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "citation_author",
)
ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenews",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "socialmediaposting",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
    "report",
    "webpage",
}
EARLIEST_YEAR = 1800  # older "dates" are placeholders such as 0001-01-01

_PARSE_ONLY = SoupStrainer(["title", "meta", "link", "script", "time", "a", "h1"])
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)", re.IGNORECASE)
_ISO = re.compile(r"^\s*(\d{4})(?:(?:-|/|\.)?(\d{2})(?:(?:-|/|\.)?(\d{2}))?)?(?=$|[T\s+Z]|\d{2}:)")
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr[1:], 1)}
_URL_DAY = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[/-]"
    r"(0?[1-9]|[12]\d|3[01])(?=/|[-_.]|$)"
)
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/")
_BY_PREFIX = re.compile(r"^\s*(?:by|von|par|por|di)\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PageMeta:
    """What a page says about itself in its markup."""

    title: str = ""
    date: PartialDate | None = None
    date_from: str = ""  # "markup" or "url"
    author: str = ""
    url: str = ""
    source: str = ""
    lang: str = ""
    dateline: str = ""  # schema.org NewsArticle's dateline, or <meta name="dateline">


def read_meta(html: str) -> PageMeta:
    """Title, publication date, author, canonical URL and site name from meta tags, JSON-LD and links."""
    soup = BeautifulSoup(html, "lxml", parse_only=_PARSE_ONLY)
    metas = _meta_values(soup)
    ld_items = list(_json_ld_items(soup))
    article = next((it for it in ld_items if _ld_types(it) & ARTICLE_TYPES), None)

    url = _canonical_url(soup, metas)
    source = _first(metas, "og:site_name", "application-name") or _ld_publisher(article) or _host(url)
    title = _title(soup, metas, article, source)
    from_url = url_date(url)
    when = _prefer_url_day(_date(soup, metas, ld_items), from_url)
    return PageMeta(
        title=title,
        date=when,
        date_from="" if when is None else "url" if when is from_url else "markup",
        author=_author(soup, metas, article),
        url=url,
        source=source,
        lang=_lang(html),
        dateline=_dateline(metas, article),
    )


def _dateline(metas: dict[str, list[str]], article: dict | None) -> str:
    """Where the story was filed: JSON-LD's dateline, else a dateline meta tag (one line, whitespace folded)."""
    value = article.get("dateline") if article else None
    text = value if isinstance(value, str) else _first(metas, "dateline", "article:dateline")
    return " ".join((text or "").split())[:200]


def parse_partial_date(text: str) -> PartialDate | None:
    """A date as precise as the text says (``2019``, ``2019-05``, ``2019-05-12T10:00``, ``May 12, 2019``);
    None when it is unreadable, a placeholder (before 1800, the Unix epoch) or in the future."""
    text = _SPACES.sub(" ", text or "").strip()
    if not text:
        return None
    found: PartialDate | None = None
    m = _ISO.match(text)
    try:
        if m:
            y, mo, d = m.groups()
            found = PartialDate(int(y), int(mo) if mo else None, int(d) if d else None)
        else:
            found = _parse_text_date(text)
    except ValueError:
        return None
    return found if found is not None and _plausible(found) else None


def _plausible(value: PartialDate) -> bool:
    if value.year < EARLIEST_YEAR or (value.year, value.month, value.day) == (1970, 1, 1):
        return False
    return value.start() <= date.today() + timedelta(days=1)


def _parse_text_date(text: str) -> PartialDate | None:
    """Read a written-out date with dateutil, keeping only the parts the text really gives."""
    from dateutil import parser as dateutil_parser

    if not re.search(r"\d{4}", text):
        return None
    try:
        with warnings.catch_warnings():  # unknown zone names ("EST") only matter for the time of day
            warnings.simplefilter("ignore")
            a = dateutil_parser.parse(text, default=datetime(2000, 1, 1), fuzzy=True)
            b = dateutil_parser.parse(text, default=datetime(2001, 2, 2), fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year:
        return None
    month = a.month if a.month == b.month else None
    day = a.day if a.day == b.day and month is not None else None
    return PartialDate(a.year, month, day)


def _meta_values(soup: BeautifulSoup) -> dict[str, list[str]]:
    """Every meta tag's content by lower-cased property, name or itemprop, in page order."""
    values: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        content = tag.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                values.setdefault(key.strip().lower(), []).append(_clean(content))
    return values


def _first(metas: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        for value in metas.get(key, ()):
            if value:
                return value
    return ""


def _json_ld_items(soup: BeautifulSoup) -> Iterator[dict]:
    """Every JSON-LD object on the page, flattened out of lists and @graph; broken JSON is skipped."""
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.IGNORECASE)):
        text = script.string or script.get_text()
        if not text or not text.strip():
            continue
        try:
            data = json.loads(text.strip().rstrip(";"))
        except (ValueError, RecursionError):
            log.debug("skipping unreadable JSON-LD block")
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
                main = item.get("mainEntity")
                if isinstance(main, dict):
                    stack.append(main)


def _ld_types(item: dict) -> set[str]:
    kind = item.get("@type", ())
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {k.lower() for k in kinds if isinstance(k, str)}


def _ld_names(value: object) -> list[str]:
    """Names from a JSON-LD person, organisation, string or list of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return _ld_names(name) if name else []
    if isinstance(value, list):
        return [n for v in value for n in _ld_names(v)]
    return []


def _ld_publisher(article: dict | None) -> str:
    if not article:
        return ""
    names = _ld_names(article.get("publisher"))
    return _clean(names[0]) if names else ""


def _canonical_url(soup: BeautifulSoup, metas: dict[str, list[str]]) -> str:
    """link rel=canonical, else og:url; only absolute http(s) URLs count."""
    candidates = []
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        rels = rel if isinstance(rel, list) else str(rel).split()
        if "canonical" in (r.lower() for r in rels):
            candidates.append(str(link["href"]))
    candidates += metas.get("og:url", [])
    for url in candidates:
        url = url.strip()
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
            return url
    return ""


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _title(soup: BeautifulSoup, metas: dict[str, list[str]], article: dict | None, source: str) -> str:
    title = _first(metas, "og:title", "twitter:title")
    if not title and article and isinstance(article.get("headline"), str):
        title = _clean(article["headline"])
    if not title:
        h1 = soup.find("h1")
        title = _clean(h1.get_text(" ")) if h1 else ""
    if not title and soup.title:
        title = _clean(soup.title.get_text(" "))
    return _strip_site_suffix(title, source)


def _strip_site_suffix(title: str, source: str) -> str:
    """'Headline | Site' -> 'Headline' when the part after the separator is the site's name."""
    for sep in (" | ", " - ", " – ", " — ", " :: "):
        head, found, tail = title.rpartition(sep)
        if found and head and source and tail.strip().lower() in (source.lower(), _host("http://" + source)):
            return head.strip()
    return title


def url_date(url: str) -> PartialDate | None:
    """The date a URL's path carries (``/2019/11/19/``, ``/2019-11-19/``, ``/2019/nov/18/``, ``/2019/11/``)."""
    path = urlsplit(url).path.lower()
    m = _URL_DAY.search(path)
    if m:
        y, mo, d = m.groups()
        month = int(mo) if mo.isdigit() else _MONTHS.get(mo[:3])
        try:
            found = PartialDate(int(y), month, int(d)) if month else None
        except ValueError:
            found = None
        return found if found and _plausible(found) else None
    m = _URL_MONTH.search(path)
    if m:
        found = PartialDate(int(m.group(1)), int(m.group(2)))
        return found if _plausible(found) else None
    return None


def _prefer_url_day(markup: PartialDate | None, from_url: PartialDate | None) -> PartialDate | None:
    """The markup's date, but the URL's day when the two are a day apart: markup timestamps are often in UTC,
    the URL gives the publisher's own calendar day."""
    if markup is None:
        return from_url
    same_day_or_next = from_url is not None and abs((markup.start() - from_url.start()).days) <= 1
    if same_day_or_next and markup.precision == "day" and from_url.precision == "day":
        return from_url
    return markup


def _date(soup: BeautifulSoup, metas: dict[str, list[str]], ld_items: list[dict]) -> PartialDate | None:
    """The publication date from meta tags, then JSON-LD, then a <time datetime> element."""
    for key in DATE_META:
        for value in metas.get(key, ()):
            found = parse_partial_date(value)
            if found:
                return found
    for field in ("datePublished", "dateCreated"):
        for item in ld_items:
            value = item.get(field)
            found = parse_partial_date(value) if isinstance(value, str) else None
            if found:
                return found
    for tag in _time_tags(soup):
        found = parse_partial_date(str(tag.get("datetime") or ""))
        if found:
            return found
    return None


def _time_tags(soup: BeautifulSoup) -> list[Tag]:
    """<time datetime> elements, the ones marked as the publication time first."""
    tags = [t for t in soup.find_all("time") if t.get("datetime")]

    def rank(tag: Tag) -> int:
        marks = " ".join(str(v) for v in (tag.get("itemprop"), tag.get("class"), tag.get("id")) if v).lower()
        if tag.has_attr("pubdate") or "publish" in marks or "datepublished" in marks:
            return 0
        if "modif" in marks or "update" in marks:
            return 2
        return 1

    return sorted(tags, key=rank)


def _author(soup: BeautifulSoup, metas: dict[str, list[str]], article: dict | None) -> str:
    """Meta author, then JSON-LD author, then a rel=author link; several authors joined by commas."""
    names = [v for key in AUTHOR_META for v in metas.get(key, ())]
    names = [n for n in names if not n.startswith(("http://", "https://"))]
    if not names and article:
        names = _ld_names(article.get("author"))
    if not names:
        for link in soup.find_all(["a", "link"], rel=True):
            rels = link.get("rel") or []
            if "author" in (r.lower() for r in (rels if isinstance(rels, list) else [rels])):
                text = _clean(link.get_text(" "))
                if text:
                    names.append(text)
    seen: dict[str, None] = {}
    for name in names:
        name = _BY_PREFIX.sub("", _clean(name)).strip(" ,;")
        if name and name.lower() not in (s.lower() for s in seen):
            seen[name] = None
    return ", ".join(seen)


def _lang(html: str) -> str:
    m = _HTML_LANG.search(html[:20000])
    return m.group(1) if m else ""


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
