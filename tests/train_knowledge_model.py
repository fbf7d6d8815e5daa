"""Train the knowledge-type model (:mod:`bot.knowledge.model`) and pin it.

``python -m tests.train_knowledge_model`` fits it on the dev rows of
``tests/data/knowledge_eval.tsv`` (never the held-out rows), checks that plgbot's own
scoring gives scikit-learn's probabilities, and writes ``bot/knowledge/model.json.gz``.
``--check`` only says whether the pinned file is what training gives now.

scikit-learn is a dev dependency: the image carries only the file. The settings were
chosen by 5-fold cross-validation on the dev rows: character 2-5-grams (terms in at
least two sentences) and word 1-2-grams, sublinear TF-IDF, one balanced logistic
regression per type with C = 10, a type assigned at probability 0.5.
"""

from __future__ import annotations

import gzip
import json
import sys
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from bot.knowledge.lexicon import normalise
from bot.knowledge.model import ANALYSERS, MODEL_FILE, Model
from bot.knowledge.types import ALL_TYPES
from tests.lexicon_eval import load_examples

C = 10.0
THRESHOLD = 0.5
MIN_DF = {"char": 2, "word": 1}
# Rounded so the file stays small and the same on every machine; the check below
# bounds what the rounding costs.
DIGITS = 6


def train() -> dict[str, Any]:
    rows = [e for e in load_examples() if not e.held_out]
    texts = [normalise(e.sentence) for e in rows]
    union = FeatureUnion(
        [
            (name, TfidfVectorizer(analyzer=analyser, sublinear_tf=True, min_df=MIN_DF[name]))
            for name, analyser in ANALYSERS.items()
        ]
    )
    matrix = union.fit_transform(texts)
    fitted = [
        LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(
            matrix, [kind in e.expected for e in rows]
        )
        for kind in ALL_TYPES
    ]
    blocks: dict[str, dict[str, list[float]]] = {}
    offset = 0
    for name, vectoriser in union.transformer_list:
        vocabulary = vectoriser.vocabulary_
        blocks[name] = {
            term: [
                round(float(vectoriser.idf_[column]), DIGITS),
                *(round(float(m.coef_[0, offset + column]), DIGITS) for m in fitted),
            ]
            for term, column in sorted(vocabulary.items())
        }
        offset += len(vocabulary)
    data = {
        "types": [kind.names[0] for kind in ALL_TYPES],
        "threshold": THRESHOLD,
        "intercepts": [round(float(m.intercept_[0]), DIGITS) for m in fitted],
        "blocks": blocks,
    }
    _same_as_sklearn(Model.from_json(data), union, fitted, texts)
    return data


def _same_as_sklearn(
    model: Model, union: FeatureUnion, fitted: list[LogisticRegression], texts: list[str]
) -> None:
    expected = [m.predict_proba(union.transform(texts))[:, 1] for m in fitted]
    for row, text in enumerate(texts):
        ours = model.probabilities(text)
        for kind, column in zip(ALL_TYPES, expected, strict=True):
            if abs(ours[kind] - column[row]) > 1e-4:
                raise AssertionError(f"scoring differs from scikit-learn on {text!r}")


def encoded(data: dict[str, Any]) -> bytes:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # mtime=0: the same model gives the same bytes, so git sees no change.
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def same_model(a: dict[str, Any], b: dict[str, Any], tolerance: float = 1e-4) -> bool:
    """Whether two trained models are the same: the same terms, and numbers equal up to
    what another machine's floating point may change in the last digits."""
    if (a["types"], a["threshold"], a["blocks"].keys()) != (
        b["types"],
        b["threshold"],
        b["blocks"].keys(),
    ):
        return False
    pairs = [(a["intercepts"], b["intercepts"])]
    for name, block in a["blocks"].items():
        other = b["blocks"][name]
        if block.keys() != other.keys():
            return False
        pairs.extend((row, other[term]) for term, row in block.items())
    return all(
        len(x) == len(y) and all(abs(p - q) <= tolerance for p, q in zip(x, y, strict=True))
        for x, y in pairs
    )


def pinned_data() -> dict[str, Any]:
    with gzip.open(MODEL_FILE, "rt", encoding="utf-8") as file:
        data: dict[str, Any] = json.load(file)
    return data


def main(argv: list[str]) -> int:
    data = train()
    if "--check" in argv:
        same = same_model(data, pinned_data())
        print("the pinned model is up to date" if same else "the pinned model is stale")
        return 0 if same else 1
    MODEL_FILE.write_bytes(encoded(data))
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
