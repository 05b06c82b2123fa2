"""The link stage's fast paths give the very floats of the plain computations they stand in for."""

import random

import numpy as np

from marsad.link import _summed_topic
from marsad.link.signals import ArticleProfile, pair_score, pair_score_value
from marsad.link.storyline_groups import _sparse_cos, _TopicQuery

KEYS = ["Q1", "Q2", "country:Q3", "marsad:per:x", "marsad:org:y", "Q9"]


def _profile(rng: random.Random, i: int) -> ArticleProfile:
    return ArticleProfile(i, lead={rng.randrange(50): rng.random() for _ in range(rng.randrange(0, 20))},
                          keys=rng.sample(KEYS, rng.randrange(0, 4)), persons=rng.sample(["p1", "p2"], rng.randrange(0, 2)),
                          cities=rng.sample(["c1", "c2"], rng.randrange(0, 2)),
                          weekdays=sorted(rng.sample(range(7), rng.randrange(0, 2))),
                          days=sorted(rng.sample(range(738000, 738100), rng.randrange(0, 3))))


def test_pair_score_value_is_pair_scores_score():
    rng = random.Random(1)
    profiles = [_profile(rng, i) for i in range(120)]
    for a in profiles:
        for b in profiles[:40]:
            cos, text = rng.random(), rng.random()
            assert pair_score_value(a, b, cos) == pair_score(a, b, cos)[0]
            assert pair_score_value(a, b, cos, text, (set(a.keys), set(b.keys))) == pair_score(a, b, cos, text_cosine=text)[0]


def test_topic_query_gives_the_sparse_cosine():
    rng = np.random.default_rng(0)

    def topic():
        keys = np.sort(rng.choice(1 << 11, rng.integers(0, 300), replace=False)).astype(np.int64)
        return keys, rng.random(len(keys)).astype(np.float32)
    topics = [topic() for _ in range(60)]
    for a in topics[:20]:
        with _TopicQuery(a) as query:
            assert all(query.cos(b) == _sparse_cos(a, b) for b in topics)
    assert (_TopicQuery._pos == -1).all()


def test_summed_topic_is_the_dict_sum():
    rng = np.random.default_rng(2)
    parts = []
    for _ in range(7):
        keys = rng.choice(500, rng.integers(1, 120), replace=False).astype(np.int32)
        parts.append((keys, rng.random(len(keys)).astype(np.float16).astype(np.float32)))
    parts.append((parts[0][0].copy(), parts[0][1].copy()))           # equal sums: ties go by bucket
    summed: dict[int, float] = {}
    for keys, vals in parts:
        for k, v in zip(keys.tolist(), vals.tolist()):
            summed[k] = summed.get(k, 0.0) + v
    for keep in (10, 100, 10_000):
        want = dict(sorted(summed.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])
        got = _summed_topic(parts, keep)
        assert list(got.items()) == list(want.items())
    assert _summed_topic([], 10) == {}


def test_cosine_of_arrays_is_the_dict_cosine():
    from marsad.link import chargrams
    rng = np.random.default_rng(3)
    vecs = []
    for n in (0, 1, 5, 40, 300, 300, 800):
        keys = rng.choice(2000, n, replace=False)
        vecs.append(chargrams.pack(dict(zip(keys.tolist(), rng.random(n).tolist()))))
    for x in vecs:
        for y in vecs:
            want = chargrams.cosine(chargrams.unpack(x), chargrams.unpack(y))
            got = chargrams.cosine_arrays(chargrams.unpack_arrays(x), chargrams.unpack_arrays(y))
            assert got == want and type(got) is type(want)
