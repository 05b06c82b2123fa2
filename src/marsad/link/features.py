"""Matching features of one article for the link stage: tokens, shingles, MinHash and band keys.

In: an article's display text and its sentence spans (``Store.sentences``). Out: an
:class:`ArticleFeatures` holding, per sentence, the normalised and lightly stemmed word tokens;
the article's set of hashed word 3-shingles (shingles never cross a sentence boundary, so reordered
sentences keep the same set, and punctuation, diacritics, letter variants and the conjunction و /
article ال prefixes do not change a token); a 126-permutation MinHash (``datasketch``) of that set
and its 42 LSH band keys (3 rows each) for near-duplicate search; and, per sentence long enough to
count as copied text, 6 band keys (2 rows each) of a MinHash over word bigrams, for copied-passage
search. All hashes are stable across processes and Python versions (CRC-32 and fixed seeds), so
keys stored by one run are comparable with the next.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from .. import data
from ..text import normalize

# Article level: Jaccard of word 3-shingles; 42 bands of 3 rows make a pair with J = 0.5 a
# candidate with probability 0.996 and one with J = 0.1 with probability 0.04.
NUM_PERM = 126
BANDS, ROWS = 42, 3
SHINGLE = 3
# Sentence level: MinHash over word bigrams, 6 bands of 2 rows (J = 0.65 → 0.96, J = 0.8 → 0.9985).
SENT_BANDS, SENT_ROWS = 6, 2
MIN_SENTENCE_TOKENS = 6

_WORD = re.compile(r"[0-9a-z\u0621-\u064a\u0671-\u06d3]+")
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64((1 << 32) - 1)


def _crc(s: str) -> int:
    return zlib.crc32(s.encode("utf-8"))


@lru_cache(maxsize=200_000)      # words recur across sentences and articles
def stem(token: str) -> str:
    """Light stemming for matching keys only: drop a leading conjunction و and the article ال."""
    if len(token) > 3 and token[0] == "و":
        token = token[1:]
    if len(token) > 4 and token.startswith("ال"):
        token = token[2:]
    elif len(token) > 5 and token[0] in "بلفك" and token[1:3] == "ال":   # بال / لل / فال / كال
        token = token[3:]
    return token


def tokens(text: str) -> list[str]:
    """Normalised, lightly stemmed word tokens of ``text`` (punctuation dropped)."""
    return list(map(stem, _WORD.findall(normalize(text))))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words = set()
    for line in data.lines("link_stopwords.txt"):
        for t in tokens(line):
            words.add(t)
    return frozenset(words)


_SUFFIXES = ("هما", "كما", "هم", "هن", "ها", "كم", "نا", "ات", "ون", "ين", "يه", "ه", "ي")


@lru_cache(maxsize=200_000)
def term_stem(token: str) -> str:
    """Heavier light stemming for comparing content words (not for shingles): clitics and plural,
    feminine, nisba and pronoun suffixes off, so سوريا / السورية / سوري and للنظام / نظامه meet."""
    if len(token) > 4 and token.startswith("لل"):
        token = token[2:]
    if len(token) > 4 and token[0] in "بلفك" and token[1:3] == "ال":
        token = token[3:]
    for suf in _SUFFIXES:
        if len(token) - len(suf) >= 3 and token.endswith(suf):
            token = token[:-len(suf)]
            break
    if len(token) > 3 and token.endswith("ا"):
        token = token[:-1]
    return token


def content_terms(text: str, limit: int | None = None) -> list[str]:
    """Distinct stemmed content words of ``text`` in order (stop words, digits, 1–2 letter words dropped)."""
    stop = stopwords()
    seen: dict[str, None] = {}
    for t in tokens(text):
        if len(t) > 2 and not t.isdigit() and t not in stop:
            seen.setdefault(term_stem(t), None)
            if limit and len(seen) >= limit:
                break
    return list(seen)


def salient_terms(text: str, limit: int = 25, min_count: int = 2) -> list[str]:
    """The stemmed content words ``text`` repeats most (names and places recur; other words rarely do)."""
    stop = stopwords()
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, t in enumerate(tokens(text)):
        if len(t) > 2 and not t.isdigit() and t not in stop:
            k = term_stem(t)
            counts[k] = counts.get(k, 0) + 1
            first.setdefault(k, i)
    ranked = sorted((k for k, c in counts.items() if c >= min_count), key=lambda k: (-counts[k], first[k]))
    return ranked[:limit]


@lru_cache(maxsize=1)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(seed)
    a = gen.randint(1, int(_MERSENNE), size=num_perm, dtype=np.uint64)
    b = gen.randint(0, int(_MERSENNE), size=num_perm, dtype=np.uint64)
    return a, b


def _band_key(prefix: int, values: np.ndarray) -> int:
    """A signed 64-bit key (SQLite INTEGER) for one LSH band."""
    h = zlib.crc32(values.tobytes(), prefix * 2654435761 & 0xFFFFFFFF)
    h2 = zlib.crc32(values.tobytes()[::-1], (prefix + 97) * 40503 & 0xFFFFFFFF)
    key = (h << 32) | h2
    return key - (1 << 64) if key >= (1 << 63) else key


@dataclass
class ArticleFeatures:
    article_id: int
    spans: list[tuple[int, int]]                     # sentence spans in the display text
    sentence_tokens: list[list[str]]
    shingles: set[int] = field(default_factory=set)
    minhash: np.ndarray | None = None                # NUM_PERM MinHash values (datasketch affine32)
    band_keys: list[int] = field(default_factory=list)
    sentence_keys: list[tuple[int, int]] = field(default_factory=list)   # (key, sentence index)

    @property
    def n_shingles(self) -> int:
        return len(self.shingles)


def sentence_tokens(text: str, spans: list[tuple[int, int]]) -> list[list[str]]:
    return [tokens(text[s:e]) for s, e in spans]


def shingle_set(sent_tokens: list[list[str]]) -> set[int]:
    """Hashed word 3-shingles inside each sentence (a shorter sentence is one shingle)."""
    out: set[int] = set()
    for toks in sent_tokens:
        if not toks:
            continue
        if len(toks) < SHINGLE:
            out.add(_crc(" ".join(toks)))
            continue
        out.update(zlib.crc32(" ".join(toks[i:i + SHINGLE]).encode("utf-8")) for i in range(len(toks) - SHINGLE + 1))
    return out


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


@lru_cache(maxsize=1)
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, scheme="affine32")


def article_minhash(shingles: set[int]) -> np.ndarray:
    """``datasketch`` MinHash (affine32 scheme, seed 1, NUM_PERM permutations) of 32-bit shingle hashes."""
    t = _template()
    m = MinHash(num_perm=NUM_PERM, hashfunc=int, permutations=t.permutations, scheme="affine32")
    if shingles:
        m.update_batch(list(shingles))
    return np.asarray(m.hashvalues)


def band_keys(minhash: np.ndarray) -> list[int]:
    return [_band_key(i, minhash[i * ROWS:(i + 1) * ROWS]) for i in range(BANDS)]


def sentence_band_keys(sent_tokens: list[list[str]]) -> list[tuple[int, int]]:
    """LSH keys of each sentence with at least MIN_SENTENCE_TOKENS tokens: [(key, sentence index)]."""
    hashes: list[int] = []
    owner: list[int] = []
    for idx, toks in enumerate(sent_tokens):
        if len(toks) < MIN_SENTENCE_TOKENS:
            continue
        hashes += [zlib.crc32(f"{x} {y}".encode("utf-8")) for x, y in zip(toks, toks[1:])]
        owner += [idx] * (len(toks) - 1)
    if not hashes:
        return []
    a, b = _permutations(SENT_BANDS * SENT_ROWS, 7)
    hv = np.asarray(hashes, dtype=np.uint64)[:, None]
    phv = np.bitwise_and((hv * a + b) % _MERSENNE, _MAX32)
    own = np.asarray(owner)
    starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
    mins = np.minimum.reduceat(phv, starts, axis=0)
    out: list[tuple[int, int]] = []
    for row, start in zip(mins, starts):
        idx = int(own[start])
        for band in range(SENT_BANDS):
            out.append((_band_key(1000 + band, row[band * SENT_ROWS:(band + 1) * SENT_ROWS]), idx))
    return out


def nth_sentence(f: ArticleFeatures, i: int) -> list[str] | None:
    """The tokens of an article's ``i``-th sentence, or None past its last one."""
    return f.sentence_tokens[i] if i < len(f.sentence_tokens) else None


def pack(f: ArticleFeatures) -> tuple[str, bytes]:
    """What the store keeps of an article's features for later runs: its sentences' tokens as text (tokens hold
    no spaces or newlines) and its shingles as sorted uint32 bytes."""
    return ("\n".join(map(" ".join, f.sentence_tokens)),
            np.array(sorted(f.shingles), dtype=np.uint32).tobytes())


def unpack_tokens(tokens_text: str) -> list[list[str]]:
    """The sentences' tokens of :func:`pack`'s text."""
    return [line.split() for line in tokens_text.split("\n")]


def unpack(article_id: int, spans: list[tuple[int, int]], tokens_text: str, shingles: bytes) -> ArticleFeatures:
    """:func:`pack`'s inverse: the features a stored article is compared by (no MinHash or LSH keys: those of a
    stored article are in the store's index already)."""
    toks = unpack_tokens(tokens_text) if spans else []
    return ArticleFeatures(article_id=article_id, spans=list(spans), sentence_tokens=toks,
                           shingles=set(np.frombuffer(shingles, dtype=np.uint32).tolist()))


def article_features(article_id: int, text: str, spans: list[tuple[int, int]],
                     with_sentence_keys: bool = True) -> ArticleFeatures:
    toks = sentence_tokens(text, spans)
    f = ArticleFeatures(article_id=article_id, spans=list(spans), sentence_tokens=toks)
    f.shingles = shingle_set(toks)
    f.minhash = article_minhash(f.shingles)
    f.band_keys = band_keys(f.minhash) if f.shingles else []
    if with_sentence_keys:
        f.sentence_keys = sentence_band_keys(toks)
    return f
