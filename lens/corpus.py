"""PURE: the training text for the lens model, and its fixed train / held-out split.

Two sources, read in a fixed order so the same files give the same corpus:

* the project's own lessons, every ``fixtures/**/*.md`` (sorted by path);
* Ambrose Bierce's *The Devil's Dictionary* (1911, public domain), as Debian's ``dict-devil``
  package installs it: ``/usr/share/dictd/devil.dict.dz``, a gzip-compatible dictd file.

Every document is split on its own: its last ``HELD_OUT_FRACTION`` (cut at a line break) is held
out for evaluation, so the held-out text has both lesson prose and Bierce in it.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEVIL_DICTIONARY = Path("/usr/share/dictd/devil.dict.dz")
DEVIL_PACKAGE = "dict-devil"
HELD_OUT_FRACTION = 0.1


class CorpusError(RuntimeError):
    """The training text cannot be assembled (a source is missing or empty)."""


@dataclass(frozen=True)
class Document:
    """One source text, with where it came from."""

    source: str
    text: str


@dataclass(frozen=True)
class Corpus:
    """The documents, split into training and held-out text."""

    documents: tuple[Document, ...]
    train: tuple[str, ...]
    held_out: tuple[str, ...]

    def fingerprint(self) -> str:
        """A SHA-256 of every document, so a stored model can say what it was trained on."""
        digest = hashlib.sha256()
        for document in self.documents:
            digest.update(document.source.encode())
            digest.update(b"\0")
            digest.update(document.text.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def describe(self) -> list[dict[str, object]]:
        """Each source with its size in characters, for the model's metadata."""
        return [{"source": d.source, "chars": len(d.text)} for d in self.documents]


def normalise(text: str) -> str:
    """Line endings to ``\\n`` and tabs to four spaces; the model knows no other whitespace."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")


def lesson_documents(folder: Path = FIXTURES) -> list[Document]:
    """Every Markdown file under ``folder``, sorted by path (there may be none yet)."""
    return [
        Document(source=str(path.relative_to(folder.parent)), text=normalise(path.read_text()))
        for path in sorted(folder.glob("**/*.md"))
    ]


def devil_dictionary_text(path: Path = DEVIL_DICTIONARY) -> str:
    """The Devil's Dictionary as plain text: its preface and entries, without dictd's headers."""
    if not path.exists():
        raise CorpusError(
            f"{path} is missing. It comes with Debian's {DEVIL_PACKAGE} package: "
            f"apt-get install {DEVIL_PACKAGE}"
        )
    text = normalise(gzip.decompress(path.read_bytes()).decode("utf-8"))
    # dictfmt puts its own header entries first and an alphabet line last; the book starts at
    # the preface.
    start = text.find("PREFACE")
    if start < 0:
        raise CorpusError(f"{path} does not look like The Devil's Dictionary (no PREFACE)")
    lines = text[start:].rstrip().split("\n")
    if lines and lines[-1].strip() == "abcdefghijklmnopqrstuvwxyz":
        lines.pop()
    return "\n".join(lines).strip() + "\n"


def split_document(text: str, fraction: float = HELD_OUT_FRACTION) -> tuple[str, str]:
    """Split off the last ``fraction`` of a text at a line break: (train, held out)."""
    cut = int(len(text) * (1 - fraction))
    newline = text.rfind("\n", 0, cut)
    if newline > 0:
        cut = newline + 1
    return text[:cut], text[cut:]


def build_corpus(fixtures: Path = FIXTURES, devil_dictionary: Path = DEVIL_DICTIONARY) -> Corpus:
    """Read both sources and split each document into training and held-out text."""
    documents = [
        *lesson_documents(fixtures),
        Document(
            source=f"{devil_dictionary} (Debian package {DEVIL_PACKAGE})",
            text=devil_dictionary_text(devil_dictionary),
        ),
    ]
    documents = [d for d in documents if d.text.strip()]
    splits = [split_document(d.text) for d in documents]
    return Corpus(
        documents=tuple(documents),
        train=tuple(train for train, _ in splits),
        held_out=tuple(held for _, held in splits if held),
    )
