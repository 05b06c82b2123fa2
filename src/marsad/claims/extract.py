"""Claims: the reportable statements of an article, one per sentence, with their attribution.

In: stored articles with their sentences and entity mentions. Out: rows of the ``claims`` table —
sentence span, reported content span, attribution chain (outlet first), modality (asserted /
reported / confirmed / denied / expected), polarity (+1 / -1 for a negated content), the entities,
places, numbers and relative time expressions mentioned, content words (the predicate), hedge /
opinion / sensational cue counts, and an embedding of the content from the bundled encoder.
Questions, headings and very short lines are not claims. Duplicates keep their claims: their
origins are the earlier article's (see :mod:`marsad.claims.origins`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import data
from ..text import normalize, strip_clitics, to_western_digits
from .attribution import head_word, outlet_source, parse_attribution, wire_source

MIN_WORDS = 5
RECENT_SENTENCES = 4        # a back-reference (المصادر, التقرير) reaches this many sentences back
NEGATION_SCOPE = 4          # words after a negation particle that it negates
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_PLACE_TYPES = ("GPE", "LOC", "FAC")


@lru_cache(maxsize=1)
def cues() -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for r in data.rows("modality_cues.tsv"):
        out.setdefault(r["kind"], []).append(tuple(normalize(r["form"]).split()))
    return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words = set()
    for line in data.lines("link_stopwords.txt"):
        for w in normalize(line).split():
            words.add(w)
    return frozenset(words)


@lru_cache(maxsize=1)
def _predicate_stems() -> tuple[tuple[str, str], ...]:
    return tuple((normalize(r["stem"]), "~" + r["class"]) for r in data.rows("claim_predicates.tsv"))


def predicate_classes(terms) -> set[str]:
    """Predicate class labels (``~leave``) of content-word stems (claim_predicates.tsv)."""
    out = set()
    for t in terms:
        for stem, cls in _predicate_stems():
            if t.startswith(stem):
                out.add(cls)
    return out


def count_cues(words: list[str], kind: str) -> int:
    """How many cues of ``kind`` occur in normalised ``words`` (whole words, optional و / ف prefix)."""
    n = 0
    forms = cues().get(kind, [])
    for i in range(len(words)):
        w0 = words[i]
        w0s = w0[1:] if len(w0) > 2 and w0[0] in "وف" else w0
        for f in forms:
            if (w0 == f[0] or w0s == f[0]) and tuple(words[i + 1:i + len(f)]) == f[1:]:
                n += 1
                break
    return n


def cue_forms(words: list[str], kind: str) -> list[str]:
    out = []
    forms = cues().get(kind, [])
    for i in range(len(words)):
        for f in forms:
            if words[i] == f[0] and tuple(words[i + 1:i + len(f)]) == f[1:]:
                out.append(" ".join(f))
    return out


@dataclass
class Claim:
    id: str
    article_id: int
    idx: int
    start: int
    end: int
    content_start: int
    content_end: int
    text: str
    content: str
    chain: list[dict]
    modality: str
    polarity: int
    entities: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    flags: dict = field(default_factory=dict)


def _is_claim(text: str, words: list[str]) -> bool:
    if len(words) < MIN_WORDS:
        return False
    t = text.strip()
    if "؟" in t or "?" in t or (words and words[0] in ("هل", "وهل")):
        return False
    return True


_GLUED_STOP = re.compile(r"[.!](?=[\u0621-\u064A])")        # "مسبقا.وقال": a sentence end without a space
_CLAUSE_OPENER = re.compile(r"(?:[،,:]\s*|\s)((?:و?فيما|بينما|في حين|كما|وقد|بعدما|بعد أن|فيما)\s+)")
MIN_CLAUSE_WORDS = 4


def clause_spans(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """The clauses of sentence [s, e) that carry their own claim: split where a sentence end lacks its
    space, and before a conjunction (فيما، بينما، في حين، كما، بعدما) followed by a reporting verb
    ("..., فيما قالت صحيفة هآرتس إن ..."): one sentence, two sources, two claims."""
    from .attribution import lexicon, _strip

    sent = text[s:e]
    cuts = [m.end() for m in _GLUED_STOP.finditer(sent)]
    verbs = lexicon().verbs
    for m in _CLAUSE_OPENER.finditer(sent):
        after = normalize(sent[m.end(1):m.end(1) + 40]).split()
        if any(_strip(w, verbs) is not None for w in after[:2]):
            cuts.append(m.start(1))
    out, lo = [], 0
    for c in sorted(set(cuts)):
        if len(_WORD.findall(sent[lo:c])) >= MIN_CLAUSE_WORDS and len(_WORD.findall(sent[c:])) >= MIN_CLAUSE_WORDS:
            out.append((s + lo, s + c))
            lo = c
    out.append((s + lo, e))
    return [(a + len(text[a:b]) - len(text[a:b].lstrip()), b) for a, b in out]


def _backref_key(m) -> str | None:
    words = normalize(m.text).split()
    return head_word(words[0]) if words and m.type == "ORG" and m.entity_id else None


def article_claims(article, spans: list[tuple[int, int]], mentions: list, entity_names: dict,
                   fallback_name: str | None = None) -> list[Claim]:
    """The claims of one article (no store access): one per clause that asserts something."""
    outlet = outlet_source(article.outlet, article.cited_source, fallback_name or f"article:{article.id}",
                           getattr(article, "url", None))
    wire = wire_source(article.text) if not article.cited_source else None
    if wire is not None and wire.get("entity_id") == outlet.get("entity_id"):
        wire = None
    text = article.text
    out: list[Claim] = []
    previous: list[dict] | None = None
    recent, recent_idx = None, -10
    backrefs: dict = {}
    clauses = [(idx, k, cs, ce) for idx, (s, e) in enumerate(spans) for k, (cs, ce) in enumerate(clause_spans(text, s, e))]
    for idx, k, s, e in clauses:
        sent = text[s:e]
        sent_mentions = [m for m in mentions if m.start < e and m.end > s]
        att = parse_attribution(sent, s, sent_mentions, entity_names, previous,
                                recent if idx - recent_idx <= RECENT_SENTENCES else None, backrefs)
        for m in sent_mentions:
            key = _backref_key(m)
            if key:
                backrefs[key] = m
        previous = att.sources or None
        if att.sources:
            recent, recent_idx = att.sources, idx
        content = text[att.content_start:att.content_end]
        cwords = normalize(content).split()
        cwords = [w for w in (_WORD.findall(" ".join(cwords)))]
        if not _is_claim(sent, _WORD.findall(normalize(sent))):
            continue
        source_ids = {x.get("entity_id") for x in att.sources} | {x.get("close_to") for x in att.sources}
        in_content = [m for m in sent_mentions if m.entity_id and m.start < att.content_end and m.end > att.content_start]
        ents = sorted({m.entity_id for m in in_content if m.entity_id not in source_ids and m.type != "NORP"})
        places = sorted({m.entity_id for m in in_content if m.type in _PLACE_TYPES and _locative(text, m)})
        ment_words = set()
        for m in in_content:
            ment_words.update(_WORD.findall(normalize(m.text)))
        sw = stopwords()
        terms = sorted({strip_clitics(w) for w in cwords if w not in sw and w not in ment_words and len(w) > 2
                        and not w.isdigit() and not count_cues([w], "negation")})
        terms = sorted(set(terms) | predicate_classes(terms))
        numbers = sorted(set(_NUMBER.findall(to_western_digits(content))))
        negated = count_cues(cwords, "negation") % 2 == 1
        modality = att.modality
        if modality in ("asserted", "reported", "confirmed") and (count_cues(cwords, "denial") and not att.sources):
            modality = "denied"
        if modality in ("asserted", "reported", "confirmed") and count_cues(cwords, "expected"):
            modality = "expected"
        swords = _WORD.findall(normalize(sent))
        neg_terms = set()
        for i, w in enumerate(cwords):
            if count_cues([w], "negation"):
                neg_terms.update(strip_clitics(x) for x in cwords[i + 1:i + 1 + NEGATION_SCOPE])
        flags = {"neg_terms": sorted(neg_terms & set(terms)), "hedge": count_cues(swords, "hedge"), "opinion": count_cues(swords, "opinion"),
                 "sensational": count_cues(swords, "sensational"), "inherited": att.inherited, "cue": att.cue}
        chain = [outlet] + ([wire] if wire else []) + [
            x for x in att.sources if not (x.get("entity_id") and x.get("entity_id") in (outlet.get("entity_id"), (wire or {}).get("entity_id")))]
        out.append(Claim(id=f"c{article.id}.{idx}" + (f".{k}" if k else ""), article_id=article.id, idx=idx, start=s, end=e,
                         content_start=att.content_start, content_end=att.content_end, text=sent, content=content,
                         chain=chain, modality=modality, polarity=-1 if negated else 1, entities=ents, places=places,
                         numbers=numbers, times=cue_forms(cwords, "time"), terms=terms, flags=flags))
    return out


_LOCATIVE = re.compile(r"(?:\bفي|\bمن|\bالى|\bإلى|\bعلى|مدينة|بلدة|منطقة|محافظة)\s*$")


def _locative(text: str, m) -> bool:
    """A place mention used as where something happens (في / إلى / من X, بـX), not as an actor."""
    before = text[max(0, m.start - 12):m.start]
    if _LOCATIVE.search(before):
        return True
    return m.text[:1] in ("ب", "ل") and len(m.text) > 3 and not m.text.startswith("ال")


def _entity_names(store, ids: set[str]) -> dict:
    out = {}
    ids = [i for i in ids if i]
    for k in range(0, len(ids), 500):
        chunk = ids[k:k + 500]
        for r in store.db.execute(f"SELECT id, type, name_ar, name_en FROM entities WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[r["id"]] = {"name_ar": r["name_ar"], "name_en": r["name_en"], "type": r["type"]}
    return out


def _vectors(texts: list[str]):
    from ..link.encoder import get_encoder
    enc = get_encoder()
    if not texts:
        return enc, np.zeros((0, enc.dim), dtype=np.float32)
    return enc, enc.encode(texts)


def extract_article_claims(store, article_ids: list[int]) -> int:
    """Extract and store the claims of ``article_ids`` (one transaction per batch). Returns the count."""
    batch = []
    for aid in article_ids:
        a = store.article(aid)
        if a is None:
            continue
        mentions = store.mentions(article_id=aid)
        names = _entity_names(store, {m.entity_id for m in mentions})
        batch.append((a, article_claims(a, store.sentences(aid), mentions, names)))
    claims = [c for _, cs in batch for c in cs]
    enc, vecs = _vectors([c.content for c in claims])
    with store.transaction():
        for a, cs in batch:
            store.db.execute("DELETE FROM claims WHERE article_id=?", (a.id,))
        store.db.executemany(
            """INSERT INTO claims(id, article_id, idx, start, end, content_start, content_end, text, content, chain,
               modality, polarity, entities, places, numbers, times, terms, flags, vector, encoder)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            [(c.id, c.article_id, c.idx, c.start, c.end, c.content_start, c.content_end, c.text, c.content,
              json.dumps(c.chain, ensure_ascii=False), c.modality, c.polarity, json.dumps(c.entities),
              json.dumps(c.places), json.dumps(c.numbers), json.dumps(c.times, ensure_ascii=False),
              json.dumps(c.terms, ensure_ascii=False), json.dumps(c.flags, ensure_ascii=False),
              vecs[i].astype(np.float32).tobytes(), enc.name) for i, c in enumerate(claims)])
        store.db.executemany(
            "INSERT OR REPLACE INTO claim_state(article_id, n_claims, story_id) VALUES (?,?,?)",
            [(a.id, len(cs), a.story_id) for a, cs in batch])
    return len(claims)
