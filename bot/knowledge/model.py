"""A small n-gram model for knowledge types, read from a pinned file.

The lexicon (:mod:`bot.knowledge.lexicon`) is precise but misses what people say in
words it has no cue for ("de cijfers gingen omhoog", "it's changing how I teach"). The
model catches many of those: one logistic regression per type over TF-IDF weighted
character n-grams (2 to 5 letters, inside words) and word n-grams (1 and 2 words) of the
lexicon's normalised text, each block scaled to unit length, as scikit-learn's
``TfidfVectorizer`` and ``LogisticRegression`` compute them.

It is trained by ``python -m tests.train_knowledge_model`` on the labelled set's dev
rows only and shipped as ``model.json.gz`` beside this file (a few hundred kB). Nothing
is downloaded at run time and scikit-learn is not needed here: the file holds every
term's IDF and weights, and scoring is a sum over the message's terms. The training
script checks that this module's probabilities equal scikit-learn's before it writes
the file, and a test checks that retraining gives the pinned file back.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from bot.knowledge.lexicon import normalise
from bot.knowledge.types import ALL_TYPES, KnowledgeType

MODEL_FILE: Final = Path(__file__).with_name("model.json.gz")
CHAR_NGRAMS: Final = (2, 5)
WORD_NGRAMS: Final = (1, 2)
_WORD: Final = re.compile(r"\b\w\w+\b")


def char_ngrams(text: str) -> list[str]:
    """Character n-grams inside words, each word padded with a space on both sides (a
    word shorter than n gives itself once), as scikit-learn's ``char_wb`` analyser."""
    grams: list[str] = []
    low, high = CHAR_NGRAMS
    for word in text.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def word_ngrams(text: str) -> list[str]:
    """Words of two or more letters or digits, and each pair of neighbours."""
    words = _WORD.findall(text)
    low, high = WORD_NGRAMS
    return [
        " ".join(words[i : i + n]) for n in range(low, high + 1) for i in range(len(words) - n + 1)
    ]


ANALYSERS: Final = {"char": char_ngrams, "word": word_ngrams}


@dataclass(frozen=True, slots=True)
class Block:
    """One vectoriser's vocabulary: each term's IDF and its weight for every type."""

    idf: dict[str, float]
    weights: dict[str, tuple[float, ...]]

    def add(self, grams: Iterable[str], totals: list[float]) -> None:
        """Add this block's share of every type's decision value to ``totals``."""
        counts = Counter(g for g in grams if g in self.idf)
        # Sublinear TF (1 + log tf) times IDF, then scaled to unit length.
        values = {g: (1 + math.log(c)) * self.idf[g] for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        if not norm:
            return
        for gram, value in values.items():
            for index, weight in enumerate(self.weights[gram]):
                totals[index] += weight * value / norm


@dataclass(frozen=True, slots=True)
class Model:
    blocks: dict[str, Block]
    intercepts: tuple[float, ...]
    threshold: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        if data["types"] != [t.names[0] for t in ALL_TYPES]:
            raise ValueError("the model's types are not plgbot's")
        blocks = {
            name: Block(
                idf={term: row[0] for term, row in block.items()},
                weights={term: tuple(row[1:]) for term, row in block.items()},
            )
            for name, block in data["blocks"].items()
        }
        return cls(blocks, tuple(data["intercepts"]), float(data["threshold"]))

    def probabilities(self, text: str) -> dict[KnowledgeType, float]:
        """Each type's probability for ``text``."""
        normal = normalise(text)
        totals = list(self.intercepts)
        for name, block in self.blocks.items():
            block.add(ANALYSERS[name](normal), totals)
        pairs = zip(ALL_TYPES, totals, strict=True)
        return {kind: 1 / (1 + math.exp(-total)) for kind, total in pairs}

    def classify(self, text: str) -> KnowledgeType:
        result = KnowledgeType.NONE
        for kind, probability in self.probabilities(text).items():
            if probability >= self.threshold:
                result |= kind
        return result


@cache
def pinned() -> Model:
    """The model shipped with plgbot, read once."""
    with gzip.open(MODEL_FILE, "rt", encoding="utf-8") as file:
        return Model.from_json(json.load(file))
