"""Arabic phrases for pages people read: counts with their noun, and date ranges.

In: a count and a noun's singular (``"مقالة"``), or two ISO dates. Out: the phrase people read
(:func:`count_ar`: "مقالة واحدة", "مقالتان", "5 مقالات", "12 منبراً", "100 مقالة", from
``data/count_nouns_ar.tsv``; a noun not listed there is written after the number unchanged, so an
unlisted noun never fails a page) and (:func:`date_span_ar`) "من 2025-01-08 إلى 2025-01-21", one date
when both are the same, "تاريخ غير معروف" when neither is known.
"""

from __future__ import annotations

from functools import lru_cache

from .. import data


@lru_cache(maxsize=1)
def _forms() -> dict[str, dict[str, str]]:
    return {r["singular"]: r for r in data.rows("count_nouns_ar.tsv")}


def form(n: int, singular: str) -> str:
    """The noun's form after the number ``n`` (without the number)."""
    forms = _forms().get(singular)
    if forms is None:
        return singular
    n = abs(int(n))
    if n == 1:
        return forms["one"]
    if n == 2:
        return forms["two"]
    rest = n % 100
    if n > 100 and rest in (1, 2):
        return singular          # 101 مقالة, 102 مقالة
    if 3 <= rest <= 10:
        return forms["few"]
    if 11 <= rest <= 99:
        return forms["many"]
    return singular              # 0, 100, 200, ...


def count_ar(n, singular: str) -> str:
    """``n`` with its noun: "مقالة واحدة", "مقالتان", "7 مقالات", "25 منبراً"; None reads as unknown."""
    if n is None:
        return "؟ " + singular
    n = int(n)
    if n in (1, 2):
        return form(n, singular)
    return f"{n} {form(n, singular)}"


def date_span_ar(start: str | None, end: str | None) -> str:
    """A date range in Arabic; a missing side is left out, and no date at all says so."""
    if start and end and start != end:
        return f"من {start} إلى {end}"
    if start or end:
        return f"{'من ' if start and not end else 'حتى ' if end and not start else ''}{start or end}"
    return "تاريخ غير معروف"
