"""The article pages: one article (``/articles/{id}``) and search (``/search``).

In: requests, the app's :class:`~marsad.web.deps.Site` and the calling thread's store. Out:
:func:`router`, whose routes answer Arabic HTML pages (not in the OpenAPI schema): an article with its
highlighted mentions, copied passages and claims; full-text matches with snippets, or the articles a
filter (outlet, story, dates) keeps.
"""

from __future__ import annotations

import re
from collections import Counter
from types import SimpleNamespace

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from ..clean.furniture import removed_pairs
from ..errors import MarsadError
from ..settings import SETTINGS
from ..store import Store
from . import data
from .deps import Site, article_id_path, get_site, get_store, run_search
from .maps import build_map

WEB = SETTINGS.web


def router() -> APIRouter:
    """The routes (made per app: the search page's query length is read from the settings now)."""
    r = APIRouter()
    r.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)(article_page)
    r.get("/search", response_class=HTMLResponse, include_in_schema=False)(search_route(int(WEB.search_max_chars)))
    return r


def article_page(article_id: int = Depends(article_id_path), site: Site = Depends(get_site),
                 store: Store = Depends(get_store)):
    a = store.article(article_id)
    if a is None:
        raise HTTPException(404, f"no article with id {article_id}")
    mentions = store.mentions(article_id=article_id)
    copies_total, cps = data.article_copies(store, article_id, int(WEB.copies_shown))
    passages = [dict(p, source_article_id=c["source_article_id"]) for c in cps if c["article_id"] == article_id
                for p in c["passages"]]
    art_claims = data.claims_page(store, article_id=article_id)[1]
    paragraphs = data.highlighted(a.text, mentions, passages, claim_spans(art_claims))
    entity_list = named_entities(store, mentions)
    duplicates = store.web.duplicates_of(article_id)
    story_title = store.web.story_titles([a.story_id]).get(a.story_id) if a.story_id is not None else None
    from ..link import explanations

    why = explanations(store, [article_id]).get(article_id)
    return site.page("article.html", nav="", a=a, paragraphs=paragraphs, entities=entity_list,
                     removed=removed_pairs(a.removed), copies=cps, copies_total=copies_total, duplicates=duplicates,
                     titles=store.web.article_titles(related_ids(a, article_id, cps, duplicates)), story_title=story_title,
                     claims=art_claims, why=why, map=build_map(place_points(entity_list)))


def claim_spans(claims: list[dict]) -> list[tuple]:
    """(start, end, label) of each claim: its attribution chain, or just 'claim'."""
    return [(c.get("start"), c.get("end"),
             "الإسناد: " + " ← ".join(str(x) for x in c.get("attribution_ar") or c.get("attribution") or [])
             if c.get("attribution") else "ادعاء") for c in claims]


def named_entities(store: Store, mentions: list) -> list[dict]:
    """The entities the mentions name, each with its mention count, most mentioned first."""
    ents = data.entity_names(store, [m.entity_id for m in mentions if m.entity_id])
    counts = Counter(m.entity_id for m in mentions if m.entity_id)
    return sorted(({**ents[i], "n": n} for i, n in counts.items() if i in ents),
                  key=lambda e: (-e["n"], e["type"], e["name_ar"]))


def related_ids(a, article_id: int, copies: list[dict], duplicates) -> set:
    """The other articles an article's page links to: copies either way, duplicates, its original."""
    ids = {c["source_article_id"] for c in copies} | {c["article_id"] for c in copies} | set(duplicates)
    if a.duplicate_of:
        ids.add(a.duplicate_of)
    ids.discard(article_id)
    return ids


def place_points(entities: list[dict]) -> list[dict]:
    return [{"lat": e["lat"], "lon": e["lon"], "label": e["name_ar"], "label_en": e["name_en"],
             "href": f"/entities/{e['id']}", "weight": e["n"], "kind": "place", "note": ""}
            for e in entities if e.get("lat") is not None and e.get("lon") is not None]


def search_route(max_chars: int):
    """The search page's endpoint, its query at most ``max_chars`` characters."""
    def search_page(q: str = Query("", max_length=max_chars),
                    outlet: str | None = Query(None, max_length=300),
                    story: str | None = Query(None, pattern=r"^\d{0,18}$"),
                    since: str | None = Query(None, pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
                    until: str | None = Query(None, pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
                    page_no: int = Query(1, alias="page", ge=1, le=10 ** 4),
                    site: Site = Depends(get_site), store: Store = Depends(get_store)):
        return search_results(site, store, q, outlet or "", int(story) if story else None, since or "",
                              until or "", page_no)
    return search_page


def search_results(site: Site, store: Store, q: str, outlet: str, story_id: int | None, since: str, until: str,
                   page_no: int) -> HTMLResponse:
    size = int(WEB.search_page_size)
    results, error, total = [], None, 0
    if q.strip():
        try:
            total, results = run_search(store, q, outlet or None, story_id, since or None, until or None,
                                        size, (page_no - 1) * size)
        except MarsadError as exc:
            error = str(exc)
    elif outlet or story_id is not None or since or until:
        total, recs = data.query_articles(store, limit=size, offset=(page_no - 1) * size, outlet=outlet or None,
                                          story_id=story_id, since=since or None, until=until or None)
        results = [(SimpleNamespace(**r), (r["text"][:200] + ("…" if len(r["text"]) > 200 else "")).replace("\n", " "))
                   for r in recs]
    stories_for_filter = store.web.story_choices(200)
    titles = dict(stories_for_filter)
    titles.update(store.web.story_titles(a.story_id for a, _ in results if a.story_id is not None))
    return site.page("search.html", nav="search", q=q, outlet=outlet, story_id=story_id, since=since,
                     until=until, results=[(a, snippet_parts(sn)) for a, sn in results], error=error,
                     listing=not q.strip() and bool(results), total=total, page=page_no,
                     pages=max(1, -(-total // size)), first=(page_no - 1) * size,
                     outlets=data.outlets(store), stories=stories_for_filter, story_titles=titles)


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    m = re.search(r"\[([^\[\]]+)\]", snippet)
    if not m:
        return [(snippet, False)]
    return [(snippet[:m.start()], False), (m.group(1), True), (snippet[m.end():], False)]
