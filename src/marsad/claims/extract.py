"""Claims: the reportable statements of an article, one per sentence, with their attribution.

In: stored articles with their sentences and entity mentions. Out: rows of the ``claims`` table —
sentence span, reported content span, attribution chain (outlet first), modality (asserted /
reported / confirmed / denied / expected), polarity (+1 / -1 for a negated content), the entities,
places, numbers and relative time expressions mentioned, content words (the predicate), hedge /
opinion / sensational cue counts. Contents are encoded later, by grouping, and only those that can
join a group.
Questions, headings and very short lines are not claims. Duplicates keep their claims: their
origins are the earlier article's (see :mod:`marsad.claims.origins`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from .. import data
from ..model import Claim
from ..settings import SETTINGS
from ..text import normalize, strip_clitics, to_western_digits
from .attribution import TitledPersons, head_word, outlet_source, parse_attribution, verb_of, wire_source
from .vectors import content_key  # noqa: F401  (re-exported)

MIN_WORDS = SETTINGS.claims.min_words
MIN_ATTRIBUTED_WORDS = SETTINGS.claims.min_attributed_words   # "ولم تؤكد حماس ذلك.": short, but a named source's
RECENT_SENTENCES = SETTINGS.claims.recent_sentences
NEGATION_SCOPE = SETTINGS.claims.negation_scope
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
    return {cls for t in terms for cls in _term_classes(t)}


@lru_cache(maxsize=65536)
def _term_classes(term: str) -> tuple[str, ...]:
    return tuple(cls for stem, cls in _predicate_stems() if term.startswith(stem))


def _by_first(forms: list[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    """Word sequences by their first word, in their order."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for f in forms:
        out.setdefault(f[0], []).append(f)
    return out


@lru_cache(maxsize=None)
def _cues_by_first(kind: str) -> dict[str, list[tuple[str, ...]]]:
    """The cues of ``kind`` by their first word, in file order."""
    return _by_first(cues().get(kind, []))


def count_cues(words: list[str], kind: str) -> int:
    """How many cues of ``kind`` occur in normalised ``words`` (whole words, optional و / ف prefix)."""
    return cue_counts(words, (kind,))[kind]


def cue_counts(words: list[str], kinds: tuple[str, ...]) -> dict[str, int]:
    """:func:`count_cues` of each of ``kinds`` in ``words``, in one pass over them."""
    out = dict.fromkeys(kinds, 0)
    starts = _cue_start_words(kinds)
    if starts.isdisjoint(words):
        return out          # no cue of these kinds starts at any word (the common case)
    for i, w in enumerate(words):
        if w not in starts:
            continue
        for kind, forms in _cue_starts(w):
            if kind in out and any(tuple(words[i + 1:i + len(f)]) == f[1:] for f in forms):
                out[kind] += 1
    return out


@lru_cache(maxsize=None)
def _cue_start_words(kinds: tuple[str, ...]) -> frozenset[str]:
    """The words a cue of ``kinds`` may start at: its first word, with or without a و / ف prefix."""
    firsts = {w for kind in kinds for w in _cues_by_first(kind)}
    return frozenset(firsts | {p + w for w in firsts if len(w) > 1 for p in "وف"})


@lru_cache(maxsize=65536)
def _cue_starts(w0: str) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """The cues of each kind that may start at word ``w0`` (itself, or without a و / ف prefix)."""
    w0s = w0[1:] if len(w0) > 2 and w0[0] in "وف" else w0
    out = []
    for kind in cues():
        by_first = _cues_by_first(kind)
        forms = tuple(f for w in dict.fromkeys((w0, w0s)) for f in by_first.get(w, ()))
        if forms:
            out.append((kind, forms))
    return tuple(out)


def is_cue_word(word: str, kind: str) -> bool:
    """``word`` on its own is a cue of ``kind`` (``count_cues([word], kind) > 0``)."""
    return word in _single_cue_words(kind)


@lru_cache(maxsize=None)
def _single_cue_words(kind: str) -> frozenset[str]:
    """The words that are a one-word cue of ``kind`` by themselves: the cue, or و / ف + the cue."""
    ones = {f[0] for f in cues().get(kind, []) if len(f) == 1}
    return frozenset(ones | {p + w for w in ones if len(w) > 1 for p in "وف"})


def cue_forms(words: list[str], kind: str) -> list[str]:
    by_first = _cues_by_first(kind)
    if by_first.keys().isdisjoint(words):
        return []
    return [" ".join(f) for i, w in enumerate(words) for f in by_first.get(w, ())
            if tuple(words[i + 1:i + len(f)]) == f[1:]]


_RELATIVE = frozenset(("الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي"))
_SUBORDINATE = frozenset(("بعدما", "عندما", "حيث", "مما", "ما", "بعد", "قبل", "رغم", "بينما", "فيما", "وسط", "اثر",
                          "عقب", "لكن", "ولكن", "بل")) | _RELATIVE


_CLAUSE_ENDS = _SUBORDINATE | {p + w for w in _SUBORDINATE for p in "وف"} | {"في", "وفي"}   # where a main clause may end


def _bare(w: str) -> str:
    return w[1:] if len(w) > 3 and w[0] in "وف" and w[1:] in _SUBORDINATE else w


def _opens_clause(w: str) -> bool:
    """A word that opens another proposition after a comma: a subordinate word, a conjoined negation
    (ولم، ولا، فلن) or any و / ف + word of four letters."""
    if _bare(w) in _SUBORDINATE:
        return True
    if w[0] in "وف" and cues_negation_particle(w[1:]):
        return True
    return w[0] in "وف" and len(w) > 3


def cues_negation_particle(word: str) -> bool:
    """``word`` (normalised) is a negation particle of modality_cues.tsv (لم، لا، لن ...)."""
    return (word,) in cues().get("negation", [])


_CLAUSE_SEP = re.compile(r"[،,;؛]")


def main_clause(content: str, words: list[str] | None = None) -> list[str]:
    """The normalised words of a content's main clause: comma-separated relative clauses
    ("روسيا، التي كانت حليفة النظام، لا تملك") are skipped, and the clause ends at the first
    subordinate word (بعدما، حيث، الذي، في حين ...). Negation outside it ("فاز ... بعدما لم يحصل في الدورة
    الأولى") does not negate the claim."""
    out: list[str] = []
    if words is not None and _CLAUSE_SEP.search(content) is None:
        segs = [words]          # one segment: its words are the content's (``words``, given by the caller)
    else:
        segs = (_WORD.findall(normalize(seg)) for seg in _CLAUSE_SEP.split(content))
    for words in segs:
        if not words:
            continue
        if out and _bare(words[0]) in _RELATIVE:
            continue
        if out and (_opens_clause(words[0]) or _whereas(words, 0)):
            break       # a subordinate clause, or a coordinate one ("...، ولم يسم 35 نائبا"): another proposition
        for i, w in enumerate(words if not _CLAUSE_ENDS.isdisjoint(words) else ()):
            if i > 0 and (_bare(w) in _SUBORDINATE or _whereas(words, i)):
                return out + words[:i]
        out.extend(words)
    return out


def _whereas(words: list[str], i: int) -> bool:
    """``words[i:]`` opens a contrasting clause with "في حين" / "وفي حين" (whereas): "تم اغتياله في رفح، في
    حين لم يصدر أي بيان" says nothing negative of the killing."""
    return words[i] in ("في", "وفي") and words[i + 1:i + 2] == ["حين"]


_UNIT_SUFFIXES = ("ين", "ون", "ات", "ا")


def _unit_key(word: str) -> str | None:
    w = strip_clitics(word)
    for suf in _UNIT_SUFFIXES:
        if len(w) > len(suf) + 2 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    return w if len(w) > 1 and not w.isdigit() else None


@lru_cache(maxsize=1)
def _month_words() -> frozenset[str]:
    return frozenset(normalize(r["name"]) for r in data.rows("months.tsv") if r.get("name"))


@lru_cache(maxsize=1)
def _unit_stems() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((normalize(r["stem"]), r["unit"]) for r in data.rows("count_units.tsv")), key=lambda x: -len(x[0])))


@lru_cache(maxsize=65536)
def _unit_class(word: str) -> str | None:
    w = strip_clitics(word)
    return next((u for stem, u in _unit_stems() if w.startswith(stem)), None)


_TOTAL_WORDS = frozenset(("اصل", "البالغ", "اجمالي", "مجموع"))          # "من أصل 128": a total, not the count
_APPROX_WORDS = frozenset(("نحو", "حوالي", "قرابه", "زهاء", "قرابة", "ما يقارب", "يقارب"))
_MORE_WORDS = frozenset(("اكثر", "يزيد", "يفوق", "تجاوز", "عتبه"))        # "عتبة الـ68": a threshold passed
_LESS_WORDS = frozenset(("اقل",))


def counted_numbers(words: list[str]) -> list[list]:
    """[number, unit, qualifier(, round)] of a content ("22 قتيلا", "أصيب 16", "أكثر من 100 جريح"):
    numbers counting something, not years, dates, ordinals (الـ47), totals (من أصل 128) or reference
    numbers (رقم 136 لسنة 1981). The unit is the counted noun's class (count_units.tsv) or stem; the
    qualifier is "=", ">" (أكثر من), "<" (أقل من) or "~" (نحو)."""
    out = []
    if all(map(str.isalpha, words)):
        return out          # no digit in any word (letters are never digits)
    ws = [w if w.isalpha() else _number_form(w) for w in words]
    for i, w in enumerate(ws):
        if not w.isdigit() or i + 1 >= len(ws):
            continue
        before = [b[1:] if len(b) > 3 and b[0] in "وف" else b for b in ws[max(0, i - 3):i]]
        prev = before[-1] if before else ""
        if prev in ("رقم", "ال", "الـ", "عام", "سنه", "لسنه", "العام") or (len(w) == 4 and w[:2] in ("19", "20")) \
                or any(b in _TOTAL_WORDS for b in before):
            continue
        nxt = ws[i + 1]
        if nxt in _month_words():
            continue
        unit = _unit_class(nxt) or next((u for u in map(_unit_class, reversed(before)) if u), None) or _unit_key(nxt)
        if unit is None or unit in ("من", "في", "الي", "و"):
            continue
        qual = ">" if any(b in _MORE_WORDS for b in before) else "<" if any(b in _LESS_WORDS for b in before) \
            else "~" if any(b in _APPROX_WORDS for b in before) else "="
        if qual == "=" and i + 3 < len(ws) and ws[i + 2] == "علي" and ws[i + 3] in ("الاقل", "الاقل"):
            qual = ">"
        rnd = count_round(words, i)
        out.append([int(w), unit, qual] + ([rnd] if rnd else []))
    return out


@lru_cache(maxsize=65536)
def _number_form(word: str) -> str:
    """``word`` in Western digits, without the letters glued before a number (بـ99 → 99)."""
    w = to_western_digits(word)
    return re.sub(r"^\D{1,3}(?=\d)", "", w) if any(ch.isdigit() for ch in w) else w


ROUND_AFTER, ROUND_BEFORE = SETTINGS.claims.round_words_after, SETTINGS.claims.round_words_before


def count_round(words: list[str], i: int) -> str | None:
    """The round / session ordinal (modality_cues.tsv) a count at ``words[i]`` belongs to: the first one
    after it in its clause ("99 صوتا ... في الجولة الثانية"), else the nearest one before it ("جولة أولى لم
    يتمكن فيها ... حيث حصل على 71 صوتا"); None when the content names no round."""
    for w in words[i + 1:i + 1 + ROUND_AFTER]:
        if _bare(w) in _SUBORDINATE:
            break
        if _is_ordinal(w):
            return w
    for w in reversed(words[max(0, i - ROUND_BEFORE):i]):
        if _is_ordinal(w):
            return w
    return None


@lru_cache(maxsize=65536)
def _is_ordinal(word: str) -> bool:
    return bool(cue_forms([word], "ordinal"))


@lru_cache(maxsize=1)
def _casualty_words() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    nouns, none, some = {}, set(), set()
    for r in data.rows("claim_casualty_words.tsv"):
        w = normalize(r["form"])
        if r["kind"] == "noun":
            nouns[strip_clitics(w)] = r["unit"]
        else:
            (none if r["kind"] == "none" else some).add(w)
    return nouns, frozenset(none), frozenset(some)


@lru_cache(maxsize=1)
def _count_cues() -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for r in data.rows("claim_count_cues.tsv"):
        out.setdefault(r["kind"], []).append(tuple(normalize(r["form"]).split()))
    return out


def count_cue_forms(words: list[str], kind: str) -> list[str]:
    """The ``kind`` cues of claim_count_cues.tsv in normalised ``words`` (weekday names, toll updates)."""
    by_first = _count_cues_by_first(kind)
    starts = _count_cue_starts(kind)
    if starts.isdisjoint(words):
        return []           # no cue starts at any word (the common case)
    out = []
    for i, w in enumerate(words):
        if w not in starts:
            continue
        heads = (w, w[1:]) if len(w) > 1 and w[0] in "وفل" else (w,)
        for f in (f for h in dict.fromkeys(heads) for f in by_first.get(h, ())):
            if tuple(words[i + 1:i + len(f)]) == f[1:]:
                out.append(" ".join(f))
    return sorted(set(out))


@lru_cache(maxsize=None)
def _count_cue_starts(kind: str) -> frozenset[str]:
    """The words a ``kind`` cue of claim_count_cues.tsv may start at: its first word, bare or after و / ف / ل."""
    firsts = set(_count_cues_by_first(kind))
    return frozenset(firsts | {p + w for w in firsts for p in "وفل"})


@lru_cache(maxsize=None)
def _count_cues_by_first(kind: str) -> dict[str, list[tuple[str, ...]]]:
    return _by_first(_count_cues().get(kind, []))


@lru_cache(maxsize=1)
def _involvement() -> tuple[frozenset[str], frozenset[str]]:
    neg, noun = set(), set()
    for r in data.rows("claim_involvement.tsv"):
        (neg if r["kind"] == "negator" else noun).add(normalize(r["form"]))
    return frozenset(neg), frozenset(noun)


def not_involved(text: str, start: int, end: int, mentions: list, words: list[str] | None = None) -> list[str]:
    """Entities that ``text[start:end]`` says are not involved: the entity mentioned right after a denied
    involvement noun ("عدم تورط طهران", "نفت الحكومة أي دور لحزب الله"; claim_involvement.tsv).
    ``words``: the normalised words of ``text[start:end]`` when the caller has them."""
    from ..text.normalize import normalize_with_map

    neg, noun = _involvement()
    if noun.isdisjoint(_WORD.findall(normalize(text[start:end])) if words is None else words):
        return []                   # no involvement noun (the common case): no offsets needed
    key, offs = normalize_with_map(text[start:end])
    words = list(_WORD.finditer(key))
    out = set()
    for i, w in enumerate(words[:-2]):
        form = w.group()[1:] if w.group()[:1] in "وف" and w.group()[1:] in neg else w.group()
        if form not in neg:
            continue
        # a particle (عدم تورط، لا علاقة) takes the noun next to it; a verb may have its subject between
        # (نفت الحكومة أي دور لـ)
        reach = (1 + (words[i + 1].group() == "اي")) if form in ("لا", "عدم") else 3
        k = next((j for j in range(i + 1, min(len(words) - 1, i + 1 + reach))
                  if words[j].group() in noun), None)
        if k is None:
            continue
        at = start + offs[words[k + 1].start()]
        out.update(m.entity_id for m in mentions if m.entity_id and m.start <= at + 2 and m.end > at)
    return sorted(out)


CASUALTY_WINDOW = 5     # words before a casualty noun searched for "none" / "some" cues


def unnumbered_casualties(words: list[str]) -> list[list]:
    """Counts of casualties stated without a number, as [value, unit, qualifier]: "دون وقوع إصابات",
    "ولم ترد أنباء عن إصابات" → [0, "injured", "="]; "سقوط مصابين", "أوقع قتلى" → [1, unit, ">"]
    (at least one). A plural casualty noun next to a number is left to :func:`counted_numbers`."""
    nouns, none, some = _casualty_words()
    out = []
    for i, w in enumerate(words):
        unit = nouns.get(strip_clitics(w))
        if unit is None or any(any(ch.isdigit() for ch in x) for x in words[max(0, i - 1):i + 2]):
            continue
        before = [b[1:] if len(b) > 2 and b[0] in "وف" and b[1:] in none | some else b
                  for b in words[max(0, i - CASUALTY_WINDOW):i]]
        if any(b in none for b in before):
            out.append([0, unit, "="])
        elif any(b in some for b in before):
            out.append([1, unit, ">"])
    return out


@lru_cache(maxsize=1)
def _time_days() -> dict[tuple[str, ...], tuple[int, int]]:
    out = {}
    for r in data.rows("modality_cues.tsv"):
        if r["kind"] == "time" and r.get("days"):
            lo, _, hi = r["days"].partition("..")
            out[tuple(normalize(r["form"]).split())] = (int(lo), int(hi or lo))
    return out


@lru_cache(maxsize=1)
def _time_days_by_first() -> dict[str, list[tuple[tuple[str, ...], tuple[int, int]]]]:
    out: dict[str, list] = {}
    for form, days in _time_days().items():
        out.setdefault(form[0], []).append((form, days))
    return out


def time_range(words: list[str]) -> list[int] | None:
    """The days (relative to publication) a content's relative time expressions allow, as [lo, hi]
    (intersected when several), or None without one: "الأسبوع الماضي" = [-13, -2], "قبل ساعات" = [-1, 0]."""
    lo, hi, found = -10 ** 6, 10 ** 6, False
    by_first = _time_days_by_first()
    for i, w in enumerate(words):
        for form, (a, b) in by_first.get(w, ()):
            if tuple(words[i:i + len(form)]) == form:
                lo, hi, found = max(lo, a), min(hi, b), True
    return [lo, hi] if found else None


@lru_cache(maxsize=1)
def _term_stop_words() -> frozenset[str]:
    """Words that are never a claim's term: stop words and one-word negation cues."""
    return stopwords() | _single_cue_words("negation")


def _is_claim(text: str, words: list[str], attributed: bool = False) -> bool:
    if len(words) < (MIN_ATTRIBUTED_WORDS if attributed else MIN_WORDS):
        return False
    t = text.strip()
    if "؟" in t or "?" in t or (words and words[0] in ("هل", "وهل")):
        return False
    return True


_GLUED_STOP = re.compile(r"[.!](?=[\u0621-\u064A])")        # "مسبقا.وقال": a sentence end without a space
_CLAUSE_OPENER = re.compile(r"(?:[،,:]\s*|\s)((?:و?فيما|بينما|في حين|كما|وقد|بعدما|بعد أن|في الوقت الذي)\s+|(?<=[،,]\s))")
MIN_CLAUSE_WORDS = SETTINGS.claims.min_clause_words


_CONJOINED = re.compile(r"[،,]\s*(و)([\u0621-\u064A]{3,})\s+")


def _conjoined_clauses(sent: str, s: int, mentions: list) -> list[int]:
    """Cuts before "، و + verb + named subject" in a sentence that reports no one ("انتخب البرلمان فلانا
    رئيسا، وحصل فلان على 99 صوتا"): the outlet states two propositions, each its own claim. The word
    after و is taken for a verb when it is no article noun (ال), no stop word and no part of a name, and
    a name (person, organisation, place) begins right after it. A sentence citing a source is not cut
    (the second half would lose its source)."""
    if not mentions or _CONJOINED.search(sent) is None or _has_verb(normalize(sent).split()):
        return []       # (no "، و" + word: no cut, whatever the verbs)
    cuts = []
    for m in _CONJOINED.finditer(sent):
        word, at, nxt = normalize(m.group(2)), s + m.start(2), s + m.end()
        if word.startswith("ال") or word in stopwords() or any(x.start <= at < x.end for x in mentions):
            continue
        if any(x.start == nxt and x.type in ("PER", "ORG", "GPE") for x in mentions):
            cuts.append(m.start(1))
    return cuts


def _has_verb(words: list[str]) -> bool:
    """One of the normalised ``words`` is a reporting verb (attribution_verbs.tsv)."""
    return not _verb_words().isdisjoint(words) and any(verb_of(w) is not None for w in words)


@lru_cache(maxsize=1)
def _verb_words() -> frozenset[str]:
    from .attribution import lexicon, with_proclitics

    return with_proclitics(lexicon().verbs)


def clause_spans(text: str, s: int, e: int, mentions: list | None = None) -> list[tuple[int, int]]:
    """The clauses of sentence [s, e) that carry their own claim: split where a sentence end lacks its
    space, before a conjunction (فيما، بينما، في حين، كما، بعدما) followed by a reporting verb
    ("..., فيما قالت صحيفة هآرتس إن ..."): one sentence, two sources, two claims; and, in a sentence
    that cites no one, before "، و" + a verb with a named subject (:func:`_conjoined_clauses`)."""
    sent = text[s:e]
    cuts = [m.end() for m in _GLUED_STOP.finditer(sent)]
    cuts += _conjoined_clauses(sent, s, [m for m in mentions or () if s <= m.start < e])
    for m in _CLAUSE_OPENER.finditer(sent):
        after = normalize(sent[m.end(1):m.end(1) + 40]).split()
        if not _has_verb(after[:2 if m.group(1) else 1]):
            continue
        # a bare comma before a verb splits only after a clause that reports on its own ("أعلن X أن ...، أكد Y")
        if m.group(1) or _has_verb(normalize(sent[:m.start()]).split()):
            cuts.append(m.start(1))
    out, lo = [], 0
    for c in sorted(set(cuts)):
        if len(_WORD.findall(sent[lo:c])) >= MIN_CLAUSE_WORDS and len(_WORD.findall(sent[c:])) >= MIN_CLAUSE_WORDS:
            out.append((s + lo, s + c))
            lo = c
    out.append((s + lo, e))
    return [(a + len(text[a:b]) - len(text[a:b].lstrip()), b) for a, b in out]


def _backref_key(m) -> str | None:
    return _first_head_word(m.text) if m.type == "ORG" and m.entity_id else None


@lru_cache(maxsize=65536)
def _first_head_word(text: str) -> str | None:
    words = normalize(text).split()
    return head_word(words[0]) if words else None


@lru_cache(maxsize=65536)
def _key_words(text: str) -> tuple[str, ...]:
    """The normalised words of a (short, often repeated) text such as a mention."""
    return tuple(_WORD.findall(normalize(text)))


class _MentionWindow:
    """The mentions overlapping a span, found among those starting near it when the mentions are in order
    of their start (as the whole list would give them, in the same order)."""

    def __init__(self, mentions: list):
        self.mentions = mentions
        self.starts = [m.start for m in mentions]
        self.ordered = all(a <= b for a, b in zip(self.starts, self.starts[1:]))
        self.longest = max((m.end - m.start for m in mentions), default=0)

    def starting_in(self, s: int, e: int) -> list:
        """The mentions starting in [s, e), in their order (``[m for m in mentions if s <= m.start < e]``)."""
        if not self.ordered:
            return [m for m in self.mentions if s <= m.start < e]
        return self.mentions[bisect_left(self.starts, s):bisect_left(self.starts, e)]

    def overlapping(self, s: int, e: int) -> list:
        if not self.ordered:
            return [m for m in self.mentions if m.start < e and m.end > s]
        lo, hi = bisect_right(self.starts, s - self.longest), bisect_left(self.starts, e)
        return [m for m in self.mentions[lo:hi] if m.start < e and m.end > s]


def open_quote(text: str) -> bool:
    """``text`` opens a quotation it does not close (“…, «…, or an odd number of straight quotes):
    the next sentence is still the quoted speaker's words."""
    return (text.count("“") + text.count("«") > text.count("”") + text.count("»")) or text.count('"') % 2 == 1


def article_claims(article, spans: list[tuple[int, int]], mentions: list, entity_names: dict,
                   fallback_name: str | None = None) -> list[Claim]:
    """The claims of one article (no store access): one per clause that asserts something."""
    aid = "?" if article.id is None else article.id         # "?" until stored (Claim.stored_as)
    outlet = outlet_source(article.outlet, article.cited_source, fallback_name or f"article:{aid}",
                           getattr(article, "url", None))
    wire = wire_source(article.text) if not article.cited_source else None
    if wire is not None and wire.get("entity_id") == outlet.get("entity_id"):
        wire = None
    text = article.text
    out: list[Claim] = []
    previous: list[dict] | None = None
    recent, recent_idx = None, -10
    backrefs: dict = {}
    titles = TitledPersons(text, mentions)
    window = _MentionWindow(mentions)
    clauses = [(idx, k, cs, ce) for idx, (s, e) in enumerate(spans)
               for k, (cs, ce) in enumerate(clause_spans(text, s, e, window.starting_in(s, e)))]
    prev_start = None
    excluded = _term_stop_words()
    for idx, k, s, e in clauses:
        sent = text[s:e]
        sent_mentions = window.overlapping(s, e)
        quoting = prev_start is not None and open_quote(text[prev_start:s])
        att = parse_attribution(sent, s, sent_mentions, entity_names, previous,
                                recent if idx - recent_idx <= RECENT_SENTENCES else None, backrefs, mentions,
                                in_quote=quoting, titles=titles)
        prev_start = s if not quoting else prev_start
        for m in sent_mentions:
            key = _backref_key(m)
            if key:
                backrefs[key] = m
        previous = att.sources or None
        if att.sources:
            recent, recent_idx = att.sources, idx
        content = text[att.content_start:att.content_end]
        cwords = _WORD.findall(normalize(content))
        swords = cwords if content == sent else _WORD.findall(normalize(sent))
        if not _is_claim(sent, swords, bool(att.sources)):
            continue
        source_ids = {x.get("entity_id") for x in att.sources} | {x.get("close_to") for x in att.sources}
        in_content = [m for m in sent_mentions if m.entity_id and m.start < att.content_end and m.end > att.content_start]
        ents = sorted({m.entity_id for m in in_content if m.entity_id not in source_ids and m.type != "NORP"})
        places = sorted({m.entity_id for m in in_content if m.type in _PLACE_TYPES and _locative(text, m)})
        ment_words = set()
        for m in in_content:
            ment_words.update(_key_words(m.text))
        negations = _single_cue_words("negation")
        terms = sorted({strip_clitics(w) for w in cwords if w not in excluded and w not in ment_words and len(w) > 2
                        and not w.isdigit()})
        term_set = set(terms) | predicate_classes(terms)
        terms = sorted(term_set)
        numbers = sorted(set(_NUMBER.findall(to_western_digits(content))))
        main = main_clause(content, cwords)
        negated = count_cues(main, "negation") > 0
        modality = att.modality
        ccues = cue_counts(cwords, ("denial", "expected"))
        if modality in ("asserted", "reported", "confirmed") and (ccues["denial"] and not att.sources):
            modality = "denied"
        if modality in ("asserted", "reported", "confirmed") and ccues["expected"]:
            modality = "expected"
        scues = cue_counts(swords, ("hedge", "opinion", "sensational"))
        neg_terms = set()
        for i, w in enumerate(main):
            if w in negations:
                neg_terms.update(strip_clitics(x) for x in main[i + 1:i + 1 + NEGATION_SCOPE])
        flags = {"neg_terms": sorted(neg_terms & term_set), "counts": counted_numbers(cwords) + unnumbered_casualties(main),
                 "main_terms": sorted({strip_clitics(w) for w in main} & term_set),
                 "ordinals": sorted(set(cue_forms(cwords, "ordinal"))),
                 "days": time_range(cwords), "weekdays": count_cue_forms(cwords, "weekday"),
                 "toll_update": bool(count_cue_forms(swords, "update")),
                 "not_involved": not_involved(text, att.content_start, att.content_end, in_content, cwords), **scues, "inherited": att.inherited, "cue": att.cue}
        chain = [outlet] + ([wire] if wire else []) + [
            x for x in att.sources if not (x.get("entity_id") and x.get("entity_id") in (outlet.get("entity_id"), (wire or {}).get("entity_id")))]
        out.append(Claim(id=f"c{aid}.{idx}" + (f".{k}" if k else ""), article_id=article.id, idx=idx, start=s, end=e,
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


def item_claims(item) -> list[Claim]:
    """The claims of one :class:`~marsad.model.AnalysedArticle` from its sentences, mentions and linked
    entities (the per-article ``attributions`` stage: no store)."""
    names = {k: {"name_ar": e.name_ar, "name_en": e.name_en, "type": e.type} for k, e in item.entities.items()}
    mentions = sorted(item.mentions, key=lambda m: m.start)
    return article_claims(item.article, [(s.start, s.end) for s in item.sentences], mentions, names)


def extract_article_claims(store, article_ids: list[int]) -> int:
    """Extract and store the claims of ``article_ids`` (one transaction per batch). Returns the count.
    Nothing is encoded here: grouping encodes the contents that can join a group (:mod:`.vectors`)."""
    tables = store.claim_tables
    batch = []
    for aid in article_ids:
        a = store.article(aid)
        if a is None:
            continue
        mentions = store.mentions(article_id=aid)
        names = tables.entity_names(m.entity_id for m in mentions)
        batch.append((a, article_claims(a, store.sentences(aid), mentions, names)))
    with store.transaction():
        tables.save_claims(batch)
    return sum(len(cs) for _, cs in batch)
