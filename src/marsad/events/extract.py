"""Event mentions in one article: trigger + arguments, per sentence.

In: an article's display text, its sentence spans, its entity mentions (with the entities they
link to) and its published date. Out: a list of :class:`EventMention` — an ACLED sub-event type,
actor1/actor2 (ACLED names and inter codes), the place (nearest place mention in the trigger's
clause), the date (absolute, relative to the article's date, or the article's date) and stated
fatalities, with the evidence sentence. Pure: no store access, so it runs in worker processes.

Rules (lexicons in ``data/event_triggers.tsv`` and ``data/actors.tsv``):
- a trigger is a word sequence from the lexicon; a row with a context (e.g. انسحاب / استسلام in
  the clause, or after it up to the next trigger word) wins over the plain row (سيطرت → Non-state actor overtakes territory, but after a
  surrender → Non-violent transfer of territory);
- a negation, modality or future cue (لن, لم, قد + imperfect, من المتوقع, تقترب من ...) within five
  words before the trigger in its clause drops it; future forms (ستسيطر) never match a trigger;
- actor1 is the actor right after the trigger (verb–subject order, or the genitive of a verbal
  noun: سيطرة المعارضة), else the nearest one before it in the sentence, else the subject carried
  over from the previous sentence; actor2 is the next other actor after the trigger;
- places: those after the trigger in its clause (up to a destination word: إلى, باتجاه, نحو; one
  event per listed place for territory events), else the nearest before it in the clause, else a
  place stated at the head of the sentence; countries only when nothing finer is named; without a
  place, events that need one are dropped and the others fall back to the article's main country.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate
from typing import NamedTuple

from ..model import Entity, EventMention, Mention
from ..text import normalize_with_map, strip_clitics
from .dates import event_date
from .lexicon import Actor, bare_key, lexicon, word_key

_TOKEN = re.compile(r"\w+|[,;:.!?()\"«»]")
_STOP_PLACES = {"الي", "باتجاه", "نحو", "صوب", "لصالح"}
_TERRITORY = {"Non-state actor overtakes territory", "Government regains territory", "Non-violent transfer of territory"}
_PLACE_TYPES = {"GPE", "LOC", "FAC"}
_OBJECT_MARKERS = {"علي", "ضد", "في", "الي", "نحو", "باتجاه", "استهدف", "استهدفت"}
_SUBJECT_VERBS = re.compile(r"(تمكن|استطاع|واصل|تابع|اعلن|اكمل|بدا|بدات)\w*")
_MILITARY_HEADS = {"طايرات", "طايره", "قوات", "جيش", "مقاتلات", "طيران", "بحريه", "مدفعيه", "دبابات", "مسيرات", "مسيره",
                   "الطايرات", "القوات", "الجيش", "المقاتلات", "الطيران", "البحريه", "المدفعيه", "الدبابات"}
_ANAPHORS = {"هذه", "هذا", "تلك", "ذلك"}
_PEOPLE_HEADS = {"شعب", "مواطن", "مواطنين", "مواطنون", "سكان", "اهالي", "جاليه", "لاجيين", "نازحين", "شارع"}
_NOT_SUBJECT_BEFORE = {"في", "ضد", "علي", "من"}   # قائد ... في حزب الله, عناصر من ...: members, not the subject


class _Tok(NamedTuple):
    i: int          # index in the article's token list
    key: str        # normalised word
    bare: str       # normalised word without proclitics
    start: int      # display offsets
    end: int
    punct: bool


@dataclass
class _ActorSpan:
    first: int      # token indices (inclusive)
    last: int
    actor: Actor
    start: int
    end: int


def _tokens(text: str) -> list[_Tok]:
    key, offs = normalize_with_map(text)
    spans = [m.span() for m in _TOKEN.finditer(key)]
    words = [key[a:b] for a, b in spans]
    punct = [not (w[0].isalnum() or w[0] == "_") for w in words]
    bare = [w if p else strip_clitics(w) for w, p in zip(words, punct)]
    starts = [offs[a] for a, _ in spans]
    ends = [offs[b - 1] + 1 for _, b in spans]
    return list(map(_new_tok, zip(range(len(words)), words, bare, starts, ends, punct)))


_new_tok = partial(tuple.__new__, _Tok)     # a _Tok from its fields in one tuple


@lru_cache(maxsize=1)
def _phrase_lengths() -> dict[str, tuple[int, ...]]:
    """The lengths of the actor phrases by their first word key, longest first."""
    out: dict[str, set[int]] = {}
    for k in lexicon().actors_by_phrase:
        out.setdefault(k[0], set()).add(len(k))
    return {w: tuple(sorted(ns, reverse=True)) for w, ns in out.items()}


_MEMO_WORDS = 262144                # words remembered before the memo starts afresh
_OPENS: dict[str, bool] = {}     # word key -> a trigger's first token matches it or its bare form


def _trigger_starts(toks: list[_Tok], lex) -> list[int]:
    """The indices of the words ``lex.first_token`` matches, as written or bare (each word tried once)."""
    if len(_OPENS) > _MEMO_WORDS:
        _OPENS.clear()
    opens = {}
    for key, bare in {t.key: t.bare for t in toks if not t.punct}.items():
        hit = _OPENS.get(key)
        if hit is None:
            hit = _OPENS[key] = bool(lex.first_token.fullmatch(key) or lex.first_token.fullmatch(bare))
        opens[key] = hit         # kept here too: another thread may start the memo afresh
    return [t.i for t in toks if not t.punct and opens[t.key]]


_ROWS: dict[str, tuple] = {}     # word key -> the trigger rows whose first token matches it


def _rows_opened_by(t: _Tok, lex) -> tuple:
    """The trigger rows, in lexicon order, whose first token matches ``t`` (looked up once per word)."""
    rows = _ROWS.get(t.key)
    if rows is None:
        if len(_ROWS) > _MEMO_WORDS:
            _ROWS.clear()
        rows = _ROWS[t.key] = tuple(r for r in lex.triggers if _matches(r.tokens[0], t))
    return rows


def _matches(rx: re.Pattern, tok: _Tok) -> bool:
    return not tok.punct and (rx.fullmatch(tok.key) is not None or rx.fullmatch(tok.bare) is not None)


def _is_country(e: Entity | None) -> bool:
    # a country (its point is its capital's) or a region: ACLED geo precision 3 without an admin1
    return e is not None and (e.kind == "country" or (e.geo_precision == 3 and e.admin1 is None))


def _actor_name(a: Actor, country_name: str | None) -> str:
    return a.name.replace("{country}", country_name or "Unknown")


def extract_event_mentions(text: str, sentences: list[tuple[int, int]], mentions: list[Mention],
                           entities: dict[str, Entity], published: str | None = None,
                           article_id: int | None = None, date_fallback: str | None = None,
                           country_names: dict[str, str] | None = None) -> list[EventMention]:
    """Event mentions of one article (see the module docstring for the rules)."""
    lex = lexicon()
    toks = _tokens(text)
    if not toks:
        return []
    starts = [t.start for t in toks]
    if country_names is None:
        from .stage import _CountryNames
        country_names = _CountryNames()

    def tok_index(offset: int) -> int:
        return max(0, bisect.bisect_right(starts, offset) - 1)

    # Actor spans: lexicon phrases on bare words, then linked entity mentions.
    actor_spans: list[_ActorSpan] = []
    taken = set()
    keys = [None if t.punct else bare_key(t.bare) for t in toks]   # each word's phrase key (word_key), once
    lengths = _phrase_lengths()
    i = 0
    for at in [k for k, w in enumerate(keys) if w in lengths]:     # the words an actor phrase starts with
        if at < i:
            continue        # inside the phrase found before
        i = at
        hit = None
        for n in lengths[keys[i]]:     # longest first
            if n > len(toks) - i:
                continue
            seq = keys[i:i + n]
            if None in seq:
                continue
            a = lex.actors_by_phrase.get(tuple(seq))
            if a:
                hit = (n, a)
                break
        if hit:
            n, a = hit
            actor_spans.append(_ActorSpan(i, i + n - 1, a, toks[i].start, toks[i + n - 1].end))
            taken.update(range(i, i + n))
            i += n
    for m in mentions:
        a = lex.actors_by_id.get(m.entity_id or "") or _actor_of_entity(entities.get(m.entity_id or ""), country_names)
        if not a:
            continue
        f, l = tok_index(m.start), tok_index(max(m.start, m.end - 1))
        if any(k in taken for k in range(f, l + 1)):
            continue
        after_head = f > 0 and (toks[f - 1].bare in _MILITARY_HEADS or lex.first_token.fullmatch(toks[f - 1].bare) is not None)
        if m.type == "NORP" and f > 0 and word_key(toks[f - 1].key) in _PEOPLE_HEADS:
            continue   # الشعب السوداني, مواطنين لبنانيين: a people, not an actor
        if a.weak and after_head and a.name.startswith("Government of "):
            # الطائرات الروسية / القوات التركية: the state's military, not its government
            a = Actor("Military Forces of " + a.name[len("Government of "):], a.inter, a.country, False)
            f -= 1
        actor_spans.append(_ActorSpan(f, l, a, toks[f].start, m.end))
        if m.type not in _PLACE_TYPES:     # a country named as an actor is still a place
            taken.update(range(f, l + 1))
    actor_spans.sort(key=lambda s: s.first)
    # a weak actor right after another one describes it (قوات الاحتلال الإسرائيلي ... مواطنين لبنانيين)
    actor_spans = [a for k, a in enumerate(actor_spans)
                   if not (k and a.actor.weak and a.first == actor_spans[k - 1].last + 1)]
    span_firsts = [a.first for a in actor_spans]

    # Places (not inside an actor span), and the article's main country.
    places = []
    country_count: Counter = Counter()
    for m in mentions:
        e = entities.get(m.location_id or "") or entities.get(m.entity_id or "")
        if e is None or m.type not in _PLACE_TYPES | {"NORP"} or not e.country:
            continue
        country_count[e.country] += 1
        if m.type == "NORP":
            continue
        f = tok_index(m.start)
        if f in taken:
            continue   # inside an actor's name
        dest = bool(f and toks[f - 1].key in _STOP_PLACES | {"الي", "لي"})   # a destination (إلى موسكو)
        places.append((f, m, e, dest, tok_index(max(m.start, m.end - 1))))
    main_country = None
    if country_count:
        main_country = country_count.most_common(1)[0][0]

    separators = [1 if t.punct and t.key in ",;:(" else 0 for t in toks]
    opens = _trigger_starts(toks, lex)
    out: list[EventMention] = []
    carried: _ActorSpan | None = None
    last_actor: dict[str, _ActorSpan] = {}
    told_dates: dict[str, tuple[str, int]] = {}     # event type -> the last date the text stated for one
    for s_start, s_end in sentences:
        lo, hi = bisect.bisect_left(starts, s_start), bisect.bisect_left(starts, s_end)
        if lo >= hi:
            continue
        stoks = toks[lo:hi]
        clause = list(accumulate(separators[lo:hi]))     # each token's clause: the separators up to it
        sentence_first = len(out)
        s_actors = actor_spans[bisect.bisect_left(span_firsts, lo):bisect.bisect_left(span_firsts, hi)]
        s_places = [p for p in places if lo <= p[0] < hi]
        sentence_text = text[s_start:s_end]
        if _READ_ALSO.match(sentence_text):
            continue     # a link to another article, not this article's news
        # Triggers in this sentence (longest match at each position).
        found = []
        j = 0
        for at in opens[bisect.bisect_left(opens, lo):bisect.bisect_left(opens, hi)]:
            if at - lo < j:
                continue        # inside the trigger found before
            j = at - lo
            best = None
            for row in _rows_opened_by(stoks[j], lex):
                n = len(row.tokens)
                if j + n > len(stoks) or not all(_matches(rx, stoks[j + k]) for k, rx in enumerate(row.tokens)):
                    continue
                ctx_ok = None
                if row.context is not None:
                    # the trigger's clause and what follows it up to the next trigger word
                    c0 = next(k for k in range(j + 1) if clause[k] == clause[j])
                    c1 = next((k for k in range(j + n, len(stoks)) if clause[k] != clause[j]
                               and lex.first_token.fullmatch(stoks[k].key)), len(stoks))
                    ckey = " ".join(x.key for x in stoks[c0:c1])
                    if not row.context.search(ckey):
                        continue
                    ctx_ok = True
                rank = (n, bool(ctx_ok))
                if best is None or rank > best[0]:
                    best = (rank, row, n)
            if best:
                found.append((j, best[1], best[2]))
                j += best[2]
        first_trigger = found[0][0] if found else None
        seen_types: set[str] = set()
        used_objects: set[int] = set()
        sentence_subject = None
        seen_keys: set = set()
        for j, row, n in found:
            if _blocked(stoks, clause, j, lex):
                continue
            # "الإجلاء هذه", "هذه الغارات": an anaphor of an event already told
            if j + n < len(stoks) and stoks[j + n].key in _ANAPHORS and stoks[j].key.startswith(("ال", "وال")):
                continue
            if j > 0 and stoks[j - 1].key in _ANAPHORS:
                continue
            abs_j, abs_end = lo + j, lo + j + n - 1
            # actors
            subj = None
            after = []
            for a in s_actors:
                if a.first <= abs_end or a.first > abs_end + 6:
                    continue
                if any(stoks[k - lo].key in _OBJECT_MARKERS or stoks[k - lo].bare in _OBJECT_MARKERS
                       for k in range(abs_end + 1, a.first)):
                    break    # past على / ضد / في ...: an object or a place, not the subject
                after.append(a)
            before = [a for a in s_actors if a.last < abs_j and id(a) not in used_objects and a.actor.inter != 7
                      and not (a.first > lo and toks[a.first - 1].bare in _NOT_SUBJECT_BEFORE)
                      and not (toks[a.first].key != toks[a.first].bare and toks[a.first].key.startswith(("ل", "ول"))
                               and not any(toks[k].bare in _MILITARY_HEADS for k in range(max(0, a.first - 3), a.first)))]
            ranks = [a for a in s_actors if abs_end < a.first <= abs_end + 5 and any(
                stoks[k - lo].bare == "صفوف" for k in range(abs_end + 1, a.first))]
            if ranks and ranks[0].actor.inter != 7:   # انشقاقات في صفوف قوات النظام: the ranks named are the subject
                subj = ranks[0]
            elif after and after[0].actor.inter != 7 and (not after[0].actor.weak or after[0].first <= abs_end + 2):
                subj = after[0]
            elif after and after[0].first <= abs_end + 2 and toks[after[0].first].key.endswith("ون"):
                subj = after[0]    # دخل مواطنون: civilians in the nominative are the subject
            elif before:
                subj = before[-1]
                strong_before = [a for a in before if not a.actor.weak]
                if subj.actor.weak and (strong_before or abs_j - subj.last > 8):
                    subj = strong_before[-1] if strong_before else None
            # an elided subject (سيطرت على ..., وسيطرتها) is the previous sentence's; a bare
            # definite noun (الانسحاب من حلب) carries none
            if subj is None and sentence_subject is not None:
                subj = sentence_subject
            if subj is None and carried is not None and (not stoks[j].key.startswith(("ال", "وال", "بال")) or (
                    j >= 2 and _SUBJECT_VERBS.fullmatch(stoks[j - 2].bare))):
                subj = carried
            told = last_actor.get(lex.taxonomy[row.sub_event_type]["event_type"])
            if told is not None and (subj is None or subj.actor.weak) and (
                    stoks[j].key.startswith(("ال", "وال", "بال")) or (j + n < len(stoks) and stoks[j + n].bare == "اخري")):
                subj = told    # "الغارات", "غارة أخرى": those just told
            if subj is not None and row.sub_event_type in _TERRITORY and subj.actor.inter in (6, 7):
                continue   # residents entering their villages take no territory
            if subj is not None:
                sentence_subject = subj
            obj = None
            if row.object or row.subject == "actor2":
                for a in s_actors:
                    if a.actor.inter == 7 and subj is not None and a.actor.name == subj.actor.name:
                        continue
                    if a.first > abs_end and a.first <= abs_end + 12 and (subj is None or a.actor.name != subj.actor.name) and not a.actor.weak:
                        obj = a
                        used_objects.add(id(a))
                        break
            # places
            cl = clause[j]
            after_p, before_p = [], []
            stop = None
            # a movement (withdrawal, takeover, evacuation) ends at its destination; fire and strikes
            # land where they are aimed (أطلقت صواريخ باتجاه حيفا)
            movement = row.sub_event_type in _TERRITORY or lex.taxonomy[row.sub_event_type]["event_type"] == "Strategic developments"
            for k in range(j + n, len(stoks)):
                if not movement or clause[k] != cl:
                    break
                if stoks[k].key in _STOP_PLACES or stoks[k].bare in _STOP_PLACES:
                    stop = lo + k
                    break
            for p in s_places:
                pk = p[0] - lo
                if movement and p[3]:
                    continue
                if clause[pk] == cl and pk >= j + n and (stop is None or p[0] < stop):
                    after_p.append(p)
                elif clause[pk] == cl and pk < j and (j - pk <= 6 or row.sub_event_type not in _TERRITORY) \
                        and p[4] + 1 != abs_j:    # "تل أبيب قصفت": the place before the verb is its subject
                    before_p.append(p)
            if after_p and all(_is_country(p[2]) for p in after_p):
                after_p += _included_places(stoks, clause, cl, lo, s_places)
            fine_after = [p for p in after_p if not _is_country(p[2])]
            fine_before = [p for p in before_p if not _is_country(p[2])]
            head = [p for p in s_places if first_trigger is not None and p[0] - lo < first_trigger and not _is_country(p[2])
                    and not (movement and p[3])]
            if fine_after:
                chosen = _place_list(stoks, lo, fine_after)
            elif fine_before:
                chosen = fine_before[-1:]
            elif head:
                chosen = head[-1:]
            elif after_p:
                chosen = after_p[:1]
            else:
                chosen = []
            if row.needs_place and not any(not _is_country(p[2]) for p in chosen):
                continue
            if row.sub_event_type in seen_types and not chosen:
                continue
            if row.needs_actor and subj is None:
                continue
            seen_types.add(row.sub_event_type)
            date, prec = event_date(sentence_text, published, date_fallback)
            told_date = told_dates.get(lex.taxonomy[row.sub_event_type]["event_type"])
            if published and prec == 2 and date == published[:10] and told_date:
                date, prec = told_date     # no date of its own: the day the same kind of event was last told on
            elif prec == 1:
                told_dates[lex.taxonomy[row.sub_event_type]["event_type"]] = (date, prec)
            if _background(stoks, clause, j, n, date, published):
                continue
            fat = None
            key = " ".join(t.key for t in stoks)
            for rx in lex.fatalities:
                mm = rx.search(key)
                if mm:
                    fat = int(mm.group(1))
                    break
            sub_type = _territory_type(row.sub_event_type, subj)
            tax = lex.taxonomy[sub_type]
            targets = chosen or [None]
            for p in targets:
                if (sub_type, p[2].id if p else None) in seen_keys:
                    continue    # the same event told twice in one sentence (سيطرت ... بعد انسحاب ...)
                seen_keys.add((sub_type, p[2].id if p else None))
                if p is None:
                    e = entities.get(_country_entity(entities, main_country) or "")
                    loc_id = e.id if e else None
                else:
                    e, loc_id = p[2], p[2].id
                country = e.country if e else main_country
                cname = country_names.get(country or "", country)
                em = EventMention(article_id=article_id, sentence_start=s_start, sentence_end=s_end,
                                  trigger_start=toks[abs_j].start, trigger_end=toks[abs_end].end,
                                  trigger=text[toks[abs_j].start:toks[abs_end].end], gloss=row.gloss,
                                  event_type=tax["event_type"], sub_event_type=sub_type, date=date,
                                  time_precision=prec, fatalities=fat, evidence=sentence_text)
                if e is not None:
                    em.location_id, em.location_name = loc_id, e.name_en or e.name_ar
                    em.lat, em.lon, em.admin1, em.country = e.lat, e.lon, e.admin1, e.country
                    em.geo_precision = e.geo_precision or (3 if _is_country(e) else 1)
                else:
                    em.country = country
                roles = {"actor1": None, "actor2": None}
                if subj is not None:
                    roles[row.subject] = subj.actor
                if obj is not None and roles["actor2"] is None:
                    roles["actor2"] = obj.actor
                for role in ("actor1", "actor2"):
                    a = roles[role]
                    if a is None:
                        continue
                    inter = a.inter
                    if inter == 1 and a.country and country and a.country != country:
                        inter = 8
                    setattr(em, role, _actor_name(a, cname))
                    setattr(em, "inter1" if role == "actor1" else "inter2", inter)
                out.append(em)
                if subj is not None and row.subject == "actor1" and not subj.actor.weak:
                    last_actor[tax["event_type"]] = subj
        out[sentence_first:] = _one_reading(out[sentence_first:])
        # the subject carried to the next sentence: the first strong actor of this sentence
        strong = [a for a in s_actors if not a.actor.weak]
        carried = strong[0] if strong else None   # only from the sentence just before
    return out


_READ_ALSO = re.compile(r"\s*(?:اقرأ|إقرأ|اقرا|إقرا)\s+(?:أيضا|أيضًا|ايضا|أيضاً|كذلك)")
_SINCE = {"منذ"}
_YEAR = re.compile(r"(?:19|20)\d\d")
_TEMPORAL_LINKS = {"بعد", "اثر", "عقب", "حين", "عندما", "لدي", "قبل"}
_PLUPERFECT = {"كان", "كانت", "كانوا"}
_TERRITORY_GAIN = {"Non-state actor overtakes territory", "Government regains territory"}


def _background(stoks: list[_Tok], clause: list[int], j: int, n: int, date: str | None, published: str | None) -> bool:
    """A background or recap mention, not a new event: its own date lies long before the
    article's, its clause names an earlier year (في عام 2018, في أبريل 2023; the year before the
    article's only in its first two months), its clause says the state has lasted "منذ" ..., or a
    pluperfect "كان/كانت ... قد" stands before the trigger."""
    from ..settings import SETTINGS
    if date and published:
        try:
            from datetime import date as _date
            if (_date.fromisoformat(published[:10]) - _date.fromisoformat(date[:10])).days > SETTINGS.events.background_days:
                return True
        except ValueError:
            pass
    for k in range(len(stoks)):
        if clause[k] == clause[j] and abs(k - j) <= 8 and (stoks[k].key in _SINCE or stoks[k].bare in _SINCE):
            return True
    if j > 0 and stoks[j - 1].key == "قد" and any(stoks[k].bare in _PLUPERFECT for k in range(max(0, j - 7), j - 1)):
        return True    # وكانت قوات ... قد سيطرت
    if published:
        pub_year, pub_month = int(published[:4]), int(published[5:7])
        clauses = {clause[j]}
        first = next(k for k in range(len(stoks)) if clause[k] == clause[j] and not stoks[k].punct)
        if stoks[first].bare in _TEMPORAL_LINKS or stoks[first].key in _TEMPORAL_LINKS:
            clauses.add(clause[j] - 1)     # "...في 2018، بعد أن استعادت": the time of the clause before
        for k in range(len(stoks)):
            if clause[k] in clauses and _YEAR.fullmatch(stoks[k].key):
                year = int(stoks[k].key)
                if year <= pub_year - 2 or (year == pub_year - 1 and pub_month > 2):
                    return True    # في عام 2018, في أبريل 2023
    return False


def _territory_type(sub_event_type: str, subj) -> str:
    """Territory taken by a state's forces at home is ACLED's "Government regains territory", by a
    non-state group "Non-state actor overtakes territory", whatever verb told it."""
    if sub_event_type not in _TERRITORY_GAIN or subj is None:
        return sub_event_type
    if subj.actor.inter == 1 and (not subj.actor.weak or subj.actor.name.startswith("Military Forces")):
        return "Government regains territory"
    if subj.actor.inter in (2, 3, 4):
        return "Non-state actor overtakes territory"
    return sub_event_type


_INCLUDING = ("بما في ذلك", "بينها", "من بينها", "منها", "بما فيها", "ومنها")


def _included_places(stoks: list[_Tok], clause: list[int], cl: int, lo: int, s_places: list) -> list:
    """Places of the next clause when it spells out the country named before (غارات على مواقع في
    اليمن، بما في ذلك مطار صنعاء): "including" and what follows it."""
    k0 = next((k for k in range(len(stoks)) if clause[k] == cl + 1 and not stoks[k].punct), None)
    if k0 is None:
        return []
    head = " ".join(t.key for t in stoks[k0:k0 + 3])
    if not any(head.startswith(w) for w in _INCLUDING):
        return []
    return [p for p in s_places if clause[p[0] - lo] == cl + 1 and not _is_country(p[2])]


_CASUALTY_GLOSSES = {"killed civilians", "civilians wounded by fire"}


def _one_reading(ems: list[EventMention]) -> list[EventMention]:
    """One happening told by two trigger words of a sentence. Civilians killed or wounded by a strike,
    shelling or battle told in the sentence are its casualties, not another event; fire aimed at
    civilians (أطلقت النار والقذائف على المدنيين) is ACLED's "Violence against civilians / Attack",
    so shelling by the same actor at the same place in that sentence is not coded again."""
    violent = {"Explosions/Remote violence", "Battles"}
    if any(e.event_type in violent for e in ems):   # قصف ... أسفر عن مقتل مدنيين: the shelling killed them
        ems = [e for e in ems if e.gloss not in _CASUALTY_GLOSSES]
    attacks = {(e.actor1, e.location_id) for e in ems if e.event_type == "Violence against civilians"}
    return [e for e in ems if not (e.sub_event_type == "Shelling/artillery/missile attack"
                                   and (e.actor1, e.location_id) in attacks)]


def _place_list(stoks: list[_Tok], lo: int, after: list) -> list:
    """The first place after a trigger and the places listed with it (في حمص وحماة، ودرعا): one
    event per place. Places follow each other with only a comma or an attached و between them."""
    out = [after[0]]
    for p in after[1:]:
        prev = out[-1]
        between = [t for t in stoks[prev[0] - lo + 1:p[0] - lo] if not (t.punct and t.key in ",،")]
        prev_end = prev[1].end
        gap_words = [t for t in between if t.start >= prev_end]
        if gap_words and not all(t.key in ("و",) for t in gap_words):
            break
        out.append(p)
    return out


_ACTOR_KINDS = {"armed_group": 2, "military": 1, "government": 1, "government_body": 1, "ministry": 1, "intelligence": 1}


def _actor_of_entity(e: Entity | None, country_names) -> Actor | None:
    """An ACLED actor for a recognised organisation no actor row names: an armed group under its
    own name (inter 2), a state's army, intelligence or government body as that state's
    "Military Forces of X" / "Government of X" (inter 1)."""
    if e is None or e.type != "ORG" or e.kind not in _ACTOR_KINDS:
        return None
    if e.kind == "armed_group":
        return Actor(e.name_en or e.name_ar, 2, e.country, False)
    if not e.country:
        return None
    country = country_names.get(e.country, e.country)
    if e.kind in ("military", "intelligence"):
        return Actor(f"Military Forces of {country}", 1, e.country, False)
    return Actor(f"Government of {country}", 1, e.country, True)


def _country_entity(entities: dict[str, Entity], iso2: str | None) -> str | None:
    """The article's entity standing for country ``iso2``: the country itself before a country-level
    region (a river, a desert), then by id, so the choice never depends on the order entities came in."""
    if not iso2:
        return None
    found = [e for e in entities.values() if e.country == iso2 and _is_country(e)]
    return min(found, key=lambda e: (e.kind != "country", e.id)).id if found else None


def _blocked(stoks: list[_Tok], clause: list[int], j: int, lex) -> bool:
    k, seen = j - 1, 0
    while k >= 0 and seen < 5 and clause[k] == clause[j]:
        t = stoks[k]
        if not t.punct:
            seen += 1
            short = t.key[1:] if len(t.key) <= 4 and t.key[:1] in ("و", "ف") else t.key   # ولا, فلن
            if lex.block.fullmatch(t.key) or lex.block.fullmatch(t.bare) or lex.block.fullmatch(short):
                return True
            if t.key == "قد" and k + 1 < len(stoks) and stoks[k + 1].key[:1] in "يتن" and len(stoks[k + 1].key) > 3:
                return True
        k -= 1
    # "من المتوقع", "في حال": the cue word is the second word
    return False
