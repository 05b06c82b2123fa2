"""Event dates: absolute dates in a sentence, or relative ones resolved against the article's date.

In: a sentence (display text) and the article's published ISO date (or None). Out:
``(iso_date, time_precision)`` with ACLED's precision: 1 = the day is known, 2 = the week
(within about a week: "الأسبوع الماضي", or no date in the text and the article's date used),
3 = the month or less precise. An undated article's event with no date of its own takes its story's
first date (:func:`fallback_date`), redone whenever that date moves (:func:`follows_story`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..clean.dates import find_date
from ..text import normalize
from .lexicon import lexicon

_WORDS = re.compile(r"\w+")


def _minus_months(d: date, n: int) -> date:
    y, m = d.year, d.month - n
    while m < 1:
        m += 12
        y -= 1
    return date(y, m, 1)


def relative_date(text: str, published: str | None) -> tuple[str, int] | None:
    """A relative expression in ``text`` (أمس, اليوم, الأسبوع الماضي, a day name) resolved against
    ``published``; None when the text has none or the article has no date."""
    if not published:
        return None
    try:
        pub = date.fromisoformat(published[:10])
    except ValueError:
        return None
    words = _WORDS.findall(normalize(text))
    for phrase, value in lexicon().dates:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if words[i:i + n] != phrase:
                continue
            # "الأسبوع المقبل" / "اليوم التالي" are not these phrases; a day name after "كل" is not a date.
            if i and words[i - 1] in ("كل", "منذ"):
                continue
            if value.startswith("w"):
                wd = int(value[1:])
                back = (pub.weekday() - wd) % 7
                return (pub - timedelta(days=back)).isoformat(), 1
            num, unit = int(value[:-1]), value[-1]
            if unit == "d":
                return (pub + timedelta(days=num)).isoformat(), 1
            if unit == "w":
                return (pub + timedelta(days=num)).isoformat(), 2
            if unit == "m":
                return _minus_months(pub, -num).isoformat(), 3
    return None


def event_date(text: str, published: str | None, fallback: str | None = None) -> tuple[str | None, int | None]:
    """The date of an event told in ``text``: an absolute date (precision 1), a relative one, else
    the article's date (precision 2), else ``fallback`` (e.g. the story's first date, precision 3)."""
    found = find_date(text)
    if found:
        return found[0], 1
    rel = relative_date(text, published)
    if rel:
        return rel
    if published:
        return published[:10], 2
    return fallback_date(fallback)


def fallback_date(fallback: str | None) -> tuple[str | None, int | None]:
    """The date of an event in an undated article whose sentence tells none: ``fallback`` (its story's
    first date) at precision 3, or no date."""
    return (fallback[:10], 3) if fallback else (None, None)


def follows_story(published: str | None, time_precision: int | None) -> bool:
    """Whether a mention's date is its story's first date (:func:`fallback_date`), to be redone when that
    date moves: the article has no date and the sentence named none of its own (precision 1)."""
    return not published and time_precision != 1
