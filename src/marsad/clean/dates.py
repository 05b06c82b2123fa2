"""Publication dates as news pages state them.

In: a short string (a date line, an HTML/feed date field). Out: ``(iso_date, matched_text)`` or
``None``. Handles Arabic, Levantine, Maghreb and English month names (``data/months.tsv``), dual
forms (``8 ديسمبر/كانون الأول 2024``), Eastern Arabic digits, ordinals ("10th, December 2024"),
month-first forms ("يناير 8, 2025"), ISO and numeric day-first dates; ``dateparser`` is the
fallback for anything else, after months and digits are mapped.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from .. import data
from ..text import normalize


@lru_cache(maxsize=1)
def _months() -> tuple[dict[str, int], str]:
    table = {normalize(r["name"]): int(r["month"]) for r in data.rows("months.tsv")}
    alt = "|".join(sorted((re.escape(k) for k in table), key=len, reverse=True))
    return table, alt


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    _, m = _months()
    month = rf"(?P<mon>{m})(?:\s*/\s*(?:{m}))?"
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
    year = r"(?P<year>(?:19|20)\d\d)"
    b, e = r"(?<![\d])", r"(?![\d])"
    return [
        (re.compile(rf"{b}(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]?\d)-(?P<day>[0-3]?\d){e}"), "iso"),
        (re.compile(rf"{b}{day}\s*,?\s*{month}\s*,?\s*{year}{e}"), "dmy"),
        (re.compile(rf"(?<!\w){month}\s+{day}\s*,?\s*{year}{e}"), "mdy"),
        (re.compile(rf"{b}(?P<year>(?:19|20)\d\d)/(?P<mnum>[01]?\d)/(?P<day>[0-3]?\d){e}"), "ymd"),
        (re.compile(rf"{b}(?P<day>[0-3]?\d)[/.-](?P<mnum>[01]?\d)[/.-](?P<year>(?:19|20)\d\d){e}"), "dmy-num"),
    ]


def _build(m: re.Match) -> date | None:
    months, _ = _months()
    g = m.groupdict()
    try:
        mon = int(g["mnum"]) if g.get("mnum") else months[g["mon"]]
        return date(int(g["year"]), mon, int(g["day"]))
    except (KeyError, ValueError):
        return None


def find_date(text: str) -> tuple[str, str] | None:
    """First valid calendar date stated in ``text`` as ``(YYYY-MM-DD, matched key text)``."""
    if not text:
        return None
    key = normalize(text)
    best: tuple[int, date, str] | None = None
    for rx, _name in _patterns():
        for m in rx.finditer(key):
            d = _build(m)
            if d and (best is None or m.start() < best[0]):
                best = (m.start(), d, m.group(0))
                break
    if best:
        return best[1].isoformat(), best[2]
    return None


def parse_date(value: str | None) -> str | None:
    """An ISO date for a date field given by a container (HTML meta, feed, JSON); None if unknown."""
    if not value or not value.strip():
        return None
    found = find_date(value)
    if found:
        return found[0]
    return _dateparser_fallback(value)


def _dateparser_fallback(value: str) -> str | None:
    key = normalize(value)
    months, _ = _months()
    for name, num in sorted(months.items(), key=lambda kv: -len(kv[0])):
        if not name.isascii():
            key = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", f" {num:02d} ", key)
    import dateparser

    try:
        parsed = dateparser.parse(key, languages=["en", "ar"],
                                  settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first",
                                            "REQUIRE_PARTS": ["day", "month", "year"]})
    except Exception:  # dateparser raises assorted errors on junk
        return None
    return parsed.date().isoformat() if parsed else None


def url_date(url: str | None) -> str | None:
    """The publication date a page's address states as a full year, month and day (``/2025/01/09/``,
    ``/2024-12-07/``), through htmldate's URL rules, or None. A year and month alone are not enough."""
    if not url:
        return None
    from datetime import datetime, timedelta

    from htmldate.extractors import extract_url_date
    from htmldate.utils import Extractor

    options = Extractor(False, datetime.now() + timedelta(days=1), datetime(1995, 1, 1), True, "%Y-%m-%d")
    try:
        return extract_url_date(url, options)
    except (ValueError, TypeError):
        return None
