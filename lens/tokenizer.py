"""PURE: a small byte-pair-encoding tokenizer over characters, trained by our own code.

The base symbols are ``<unk>``, the line break, every printable ASCII character and any other
character common in the training text. Text is first cut into pieces (a word with its leading
space, a digit, a run of punctuation, a run of whitespace); merges never cross a piece, so a
token is always a word, a word part, punctuation or whitespace, which reads well on the lab's
charts. Characters outside the base symbols become ``<unk>`` and are reported, never dropped.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path

UNK = "<unk>"
# A word with its leading space, one digit, a punctuation run, or whitespace (the last space
# of a run stays with the next word, as GPT-2 does).
PIECE = re.compile(r" ?[^\W\d_]+| ?\d| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+")
ASCII = "\n" + "".join(c for c in string.printable if c.isprintable())
DISPLAY = str.maketrans({" ": "␣", "\n": "⏎"})


@dataclass(frozen=True)
class Encoding:
    """Token ids for a text, each token's character span, and the characters unknown to us."""

    ids: list[int]
    spans: list[tuple[int, int]]
    unknown: list[tuple[int, str]]


@dataclass
class Tokenizer:
    """Token strings (id = index, id 0 is ``<unk>``) and merge rules in the order learned."""

    tokens: list[str]
    merges: list[tuple[str, str]]
    _ids: dict[str, int] = field(init=False, repr=False)
    _ranks: dict[tuple[int, int], tuple[int, int]] = field(init=False, repr=False)
    _cache: dict[str, list[int]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not self.tokens or self.tokens[0] != UNK:
            raise ValueError(f"token 0 must be {UNK}")
        if len(set(self.tokens)) != len(self.tokens):
            raise ValueError("token strings must be unique")
        self._ids = {token: i for i, token in enumerate(self.tokens)}
        self._ranks = {}
        for rank, (left, right) in enumerate(self.merges):
            pair = (self._ids[left], self._ids[right])
            self._ranks.setdefault(pair, (rank, self._ids[left + right]))

    @property
    def vocab_size(self) -> int:
        """How many tokens there are, ``<unk>`` included."""
        return len(self.tokens)

    @property
    def alphabet(self) -> frozenset[str]:
        """The single characters the tokenizer knows."""
        return frozenset(t for t in self.tokens if len(t) == 1)

    def encode(self, text: str) -> list[int]:
        """Token ids for ``text``; unknown characters become ``<unk>`` (id 0)."""
        return self.encode_with_spans(text).ids

    def encode_with_spans(self, text: str) -> Encoding:
        """Token ids, the span of text each covers, and every unknown character with its index."""
        ids: list[int] = []
        spans: list[tuple[int, int]] = []
        unknown: list[tuple[int, str]] = []
        for match in PIECE.finditer(text):
            start = match.start()
            for token in self._encode_piece(match.group()):
                length = 1 if token == 0 else len(self.tokens[token])
                if token == 0:
                    unknown.append((start, text[start]))
                ids.append(token)
                spans.append((start, start + length))
                start += length
        return Encoding(ids=ids, spans=spans, unknown=unknown)

    def _encode_piece(self, piece: str) -> list[int]:
        cached = self._cache.get(piece)
        if cached is not None:
            return cached
        symbols = [self._ids.get(char, 0) for char in piece]
        while len(symbols) > 1:
            ranked = [
                (self._ranks[pair], i)
                for i, pair in enumerate(pairwise(symbols))
                if pair in self._ranks
            ]
            if not ranked:
                break
            (_, merged), i = min(ranked)
            symbols[i : i + 2] = [merged]
        self._cache[piece] = symbols
        return symbols

    def decode(self, ids: list[int]) -> str:
        """The text of the tokens (``<unk>`` comes back as U+FFFD)."""
        return "".join("\ufffd" if i == 0 else self.tokens[i] for i in ids)

    def display(self, token_id: int) -> str:
        """A token as the lab shows it: a space as ␣, a line break as ⏎."""
        return self.tokens[token_id].translate(DISPLAY)

    @cached_property
    def shown(self) -> tuple[str, ...]:
        """Every token as ``display`` shows it, by id (the lab sends them all with each text)."""
        return tuple(token.translate(DISPLAY) for token in self.tokens)

    def to_json(self) -> str:
        """The vocabulary and merges as readable JSON."""
        return json.dumps(
            {"tokens": self.tokens, "merges": [list(m) for m in self.merges]},
            ensure_ascii=False,
            indent=0,
        )

    @classmethod
    def from_json(cls, text: str) -> Tokenizer:
        """Rebuild a tokenizer saved with ``to_json``."""
        data = json.loads(text)
        return cls(tokens=list(data["tokens"]), merges=[tuple(m) for m in data["merges"]])

    def save(self, path: Path) -> None:
        """Write the JSON form to ``path``."""
        path.write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Tokenizer:
        """Read a tokenizer written by ``save``."""
        return cls.from_json(path.read_text(encoding="utf-8"))


def train_tokenizer(text: str, vocab_size: int, *, min_char_count: int = 5) -> Tokenizer:
    """Learn merges on ``text`` until there are ``vocab_size`` tokens or no pair repeats."""
    char_counts = Counter(text)
    extra = sorted(c for c, n in char_counts.items() if n >= min_char_count and c not in ASCII)
    tokens = [UNK, *ASCII, *extra]
    if vocab_size < len(tokens):
        raise ValueError(f"vocab_size must be at least {len(tokens)}, the base symbols")
    ids = {token: i for i, token in enumerate(tokens)}
    words = Counter(PIECE.findall(text))
    seqs = [[ids.get(c, 0) for c in word] for word in words]
    counts = list(words.values())

    pair_counts: Counter[tuple[int, int]] = Counter()
    where: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
    for w, seq in enumerate(seqs):
        for pair in pairwise(seq):
            if 0 not in pair:
                pair_counts[pair] += counts[w]
                where[pair].add(w)

    merges: list[tuple[str, str]] = []
    while len(tokens) < vocab_size and pair_counts:
        # Most frequent pair; ties go to the pair whose strings sort first, for determinism.
        best = max(pair_counts, key=lambda p: (pair_counts[p], tokens[p[0]], tokens[p[1]]))
        if pair_counts[best] < 2:
            break
        left, right = tokens[best[0]], tokens[best[1]]
        merged_text = left + right
        if merged_text not in ids:
            ids[merged_text] = len(tokens)
            tokens.append(merged_text)
        merged = ids[merged_text]
        merges.append((left, right))
        for w in sorted(where.pop(best)):
            seq = seqs[w]
            for pair in pairwise(seq):
                if 0 not in pair:
                    pair_counts[pair] -= counts[w]
            seq = _merge(seq, best, merged)
            seqs[w] = seq
            for pair in pairwise(seq):
                if 0 not in pair:
                    pair_counts[pair] += counts[w]
                    where[pair].add(w)
        for pair in [p for p, n in pair_counts.items() if n <= 0]:
            del pair_counts[pair]
    return Tokenizer(tokens=tokens, merges=merges)


def _merge(seq: list[int], pair: tuple[int, int], merged: int) -> list[int]:
    out: list[int] = []
    i = 0
    while i < len(seq):
        if i + 1 < len(seq) and (seq[i], seq[i + 1]) == pair:
            out.append(merged)
            i += 2
        else:
            out.append(seq[i])
            i += 1
    return out
