"""Outlets: which outlet published an article, and which wire or original outlet it carries.

In: what an article's input says about where it comes from — the page URL, the container's or page
metadata's outlet name, the article text (bylines and datelines such as "دمشق - وكالات",
"القاهرة (رويترز)", "المصدر: ...", "The post ... appeared first on X") and the "المصدر:" line the
cleaner found. Out: an :class:`Outlet` (Arabic and English name, domain, country, kind: agency /
newspaper / tv / radio / site / aggregator, and the aggregator it came through), or None when
nothing names one: an unknown outlet stays unknown, never a file name. Names come from the curated
registry ``data/outlets.tsv`` (domain → outlet) and the media gazetteer ``data/entities_media.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from .. import data
from ..text import normalize

REGISTRY_FILE = "outlets.tsv"
MEDIA_FILE = "entities_media.tsv"
_KIND_OF_MEDIA = {"news_agency": "agency", "newspaper": "newspaper", "broadcaster": "tv", "news_site": "site",
                  "platform": "site", "ngo": "site"}
_HOST_PREFIXES = ("www.", "amp.", "m.", "mobile.", "ar.", "arabic.")
_BRACKETS = re.compile(r"\[[^\]]*\]")
# "القاهرة (رويترز) -", "(كونا) --", "الخرطوم - 23 - 11 (كونا) --": a wire credit near the top
_PAREN_CREDIT = re.compile(r"[(«\"]\s*([^()«»\"\n]{2,40}?)\s*[)»\"]\s*(?:[-–—:]|$)", re.M)
# "دمشق - وكالات", "بيروت ـ رويترز": place, dash, agency at the start of a paragraph
_DASH_CREDIT = re.compile(r"(?:^|\n)\s*[\w\s]{2,25}?\s*[-–—ـ]\s*([^\n.،,:]{2,30}?)\s*(?:[:.،,]|\n|$)")
_APPEARED_FIRST = re.compile(r"appeared first on\s+(.{2,60}?)\s*\.?\s*$", re.M | re.I)
_GENERIC_WIRES = {normalize(w) for w in ("وكالات", "الوكالات", "وكالات الأنباء", "متابعات", "وكالات عالمية")}


@dataclass(frozen=True)
class Outlet:
    name_ar: str
    name_en: str | None = None
    domain: str | None = None
    country: str | None = None
    kind: str | None = None                 # agency | newspaper | tv | radio | site | aggregator
    entity_id: str | None = None            # media entity id (entities_media.tsv) when known
    via: str | None = None                  # aggregator / mirror the article came through (Arabic name)

    @property
    def key(self) -> str:
        return self.entity_id or self.domain or normalize(self.name_ar)


def _row_outlet(r: dict) -> Outlet:
    return Outlet(name_ar=r["name_ar"], name_en=r.get("name_en") or None, domain=r.get("domain") or None,
                  country=r.get("country") or None, kind=r.get("kind") or None, entity_id=r.get("entity") or None)


@lru_cache(maxsize=1)
def _registry() -> tuple[dict[str, Outlet], dict[str, Outlet]]:
    """(domain → outlet, normalised name → outlet) from outlets.tsv and entities_media.tsv."""
    by_domain: dict[str, Outlet] = {}
    by_name: dict[str, Outlet] = {}
    by_entity: dict[str, Outlet] = {}
    for r in data.rows(REGISTRY_FILE):
        o = _row_outlet(r)
        by_domain[r["domain"].lower()] = o
        if o.entity_id:
            by_entity.setdefault(o.entity_id, o)
        for name in [r["name_ar"], r.get("name_en") or "", *(r.get("aliases_ar") or "").split("|")]:
            if name.strip():
                by_name.setdefault(normalize(name.strip()), o)
    for r in data.rows(MEDIA_FILE):
        o = by_entity.get(r["id"]) or Outlet(name_ar=r["name_ar"], name_en=r["name_en"], country=r.get("country") or None,
                                            kind=_KIND_OF_MEDIA.get(r.get("kind") or ""), entity_id=r["id"])
        for name in [r["name_ar"], r["name_en"], *(r.get("aliases_ar") or "").split("|")]:
            name = _BRACKETS.sub("", name).strip()
            if name:
                by_name.setdefault(normalize(name), o)
    return by_domain, by_name


def registry_names() -> dict[str, Outlet]:
    """Every known outlet name and alias (normalised) with its outlet."""
    return _registry()[1]


def host_of(url: str | None) -> str | None:
    """The URL's host without www. / amp. / m. prefixes, lower case (None for no URL)."""
    if not url or "://" not in url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host or None


def outlet_of_domain(host: str | None) -> Outlet | None:
    """The registry outlet of a host (longest registered suffix: amp.dw.com → dw.com), or None."""
    if not host:
        return None
    by_domain, _ = _registry()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        hit = by_domain.get(".".join(parts[i:]))
        if hit is not None:
            return hit
    return None


def outlet_named(name: str | None) -> Outlet | None:
    """The outlet a written name refers to ("رويترز", "صحيفة الراكوبة", "Al Jazeera"), or None."""
    if not name:
        return None
    _, by_name = _registry()
    key = normalize(name.strip(" .:-–\"'«»“”"))
    if key in by_name:
        return by_name[key]
    words = key.split()
    if len(words) > 1 and words[0] in _MEDIUM_NOUNS:     # صحيفة X / وكالة X / قناة X
        return by_name.get(" ".join(words[1:]))
    return None


_MEDIUM_NOUNS = {normalize(w) for w in ("صحيفة", "جريدة", "وكالة", "قناة", "موقع", "شبكة", "إذاعة", "تلفزيون", "مجلة")}


def wire_credit(text: str) -> Outlet | None:
    """A wire agency credited at the top of the text ("القاهرة (رويترز) -", "دمشق - وكالات" gives None:
    agencies unnamed), or None."""
    head = text[:240]
    for m in _PAREN_CREDIT.finditer(head):
        o = outlet_named(m.group(1))
        if o is not None and o.kind in ("agency", None):
            return o
    m = _DASH_CREDIT.search(head)
    if m:
        o = outlet_named(m.group(1))
        if o is not None and o.kind == "agency":
            return o
    return None


def original_named(text: str) -> Outlet | None:
    """The original outlet a republished page names ("The post ... appeared first on X."), or None."""
    m = _APPEARED_FIRST.search(text[-600:])
    return outlet_named(m.group(1)) if m else None


def resolve_outlet(url: str | None = None, meta_outlet: str | None = None, text: str = "",
                   cited_source: str | None = None) -> Outlet | None:
    """The outlet of an article from its URL, metadata and text; None when nothing names one.

    An aggregator or mirror resolves to the original outlet when the page names it ("المصدر: X" or an
    "appeared first on X" footer), keeping the aggregator in ``via``. An unknown site is its domain.
    """
    host = host_of(url)
    site = outlet_of_domain(host)
    if site is None and meta_outlet:
        named = outlet_named(meta_outlet)
        if named is not None:
            site = named
        elif "." in meta_outlet and " " not in meta_outlet.strip():
            site = Outlet(name_ar=meta_outlet.strip().lower().removeprefix("www."), domain=meta_outlet.strip().lower())
        elif not host:
            site = Outlet(name_ar=meta_outlet.strip())
    if site is None and host:
        bare = host
        for p in _HOST_PREFIXES:
            bare = bare.removeprefix(p)
        site = Outlet(name_ar=bare, domain=bare)
    if site is not None and site.kind not in ("aggregator", None) and site.name_en is not None:
        return site
    original = outlet_named(cited_source) if cited_source else None
    original = original or (original_named(text) if text else None)
    if original is not None and (site is None or original.key != site.key):
        return Outlet(**{**original.__dict__, "via": site.name_ar if site else None})
    return site


def outlet_display(o: Outlet | None) -> str | None:
    """The name an article's ``outlet`` field holds: the Arabic name (the domain for an unknown site)."""
    return o.name_ar if o is not None else None
