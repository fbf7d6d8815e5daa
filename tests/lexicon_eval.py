"""Score the knowledge-type classifiers against the labelled set in
``tests/data/knowledge_eval.tsv``: the lexicon (:mod:`bot.knowledge.lexicon`), the model
(:mod:`bot.knowledge.model`) and what plgbot uses, either of the two
(:func:`bot.knowledge.tagging.knowledge_types`).

The set is ``language<TAB>types<TAB>sentence`` with a header line; ``types`` is a comma-separated
list of knowledge type names or ``none``. Lines starting with ``#`` are comments, except that the
first comment starting with ``# held-out`` marks every later row as held out: those sentences were
written apart from the classifier and are never used to tune cues or train the model. The model
is trained on the dev rows, so its dev figures say nothing; only the held-out ones count.

``python -m tests.lexicon_eval`` prints Markdown tables; add ``--errors`` to list the dev rows the
lexicon gets wrong.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.lexicon import classify
from bot.knowledge.model import pinned
from bot.knowledge.tagging import knowledge_types
from bot.knowledge.types import ALL_TYPES, KnowledgeType

EVAL_SET = Path(__file__).parent / "data" / "knowledge_eval.tsv"


@dataclass(frozen=True)
class Example:
    language: str
    expected: KnowledgeType
    sentence: str
    held_out: bool


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int


def load_examples(path: Path = EVAL_SET) -> list[Example]:
    examples: list[Example] = []
    held_out = False
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if line.startswith("#"):
            held_out = held_out or line.startswith("# held-out")
            continue
        language, types, sentence = line.split("\t")
        names = [] if types == "none" else types.split(",")
        if language not in ("nl", "en") or not sentence:
            raise ValueError(f"{path}:{number}: bad row {line!r}")
        examples.append(Example(language, KnowledgeType.from_names(names), sentence, held_out))
    return examples


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def evaluate(
    examples: Iterable[Example],
    classifier: Callable[[str], KnowledgeType] = classify,
) -> dict[str, Score]:
    """Per-type precision, recall, F1 and support, plus ``"macro"`` (unweighted mean)."""
    pairs = [(example.expected, classifier(example.sentence)) for example in examples]
    scores: dict[str, Score] = {}
    for kind in ALL_TYPES:
        true_pos = sum(1 for want, got in pairs if kind in want and kind in got)
        predicted = sum(1 for _, got in pairs if kind in got)
        support = sum(1 for want, _ in pairs if kind in want)
        precision = _ratio(true_pos, predicted)
        recall = _ratio(true_pos, support)
        f1 = _ratio(2 * true_pos, predicted + support)
        scores[kind.names[0]] = Score(precision, recall, f1, support)
    per_type = list(scores.values())
    scores["macro"] = Score(
        sum(s.precision for s in per_type) / len(per_type),
        sum(s.recall for s in per_type) / len(per_type),
        sum(s.f1 for s in per_type) / len(per_type),
        len(pairs),
    )
    return scores


def markdown_table(scores: dict[str, Score]) -> str:
    rows = ["| type | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name, s in scores.items():
        label = f"**{name}**" if name == "macro" else name
        rows.append(f"| {label} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} | {s.support} |")
    return "\n".join(rows)


def _languages(subset: list[Example]) -> str:
    return ", ".join(
        f"{lang}: {sum(1 for e in subset if e.language == lang)}" for lang in ("nl", "en")
    )


def main(argv: list[str]) -> None:
    examples = load_examples()
    dev = [e for e in examples if not e.held_out]
    held_out = [e for e in examples if e.held_out]
    print(f"### lexicon on the dev rows ({len(dev)} sentences; {_languages(dev)})\n")
    print(markdown_table(evaluate(dev)) + "\n")
    classifiers: dict[str, Callable[[str], KnowledgeType]] = {
        "lexicon": classify,
        "model": pinned().classify,
        "plgbot: lexicon or model": knowledge_types,
    }
    for name, classifier in classifiers.items():
        print(f"### {name} on the held-out rows ({len(held_out)}; {_languages(held_out)})\n")
        print(markdown_table(evaluate(held_out, classifier)) + "\n")
    if "--errors" in argv:
        for example in dev:
            got = classify(example.sentence)
            if got != example.expected:
                want = ",".join(example.expected.names) or "none"
                print(f"want {want:<28} got {','.join(got.names) or 'none':<28} {example.sentence}")


if __name__ == "__main__":
    main(sys.argv[1:])
