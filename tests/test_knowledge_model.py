"""The knowledge-type model: the pinned file is what its training script gives, it
scores as scikit-learn does, and what plgbot reads from a text says when to ask."""

from __future__ import annotations

import json

import pytest

from bot.knowledge.lexicon import classify
from bot.knowledge.model import Model, char_ngrams, pinned, word_ngrams
from bot.knowledge.tagging import read
from bot.knowledge.types import KnowledgeType
from tests.train_knowledge_model import pinned_data, same_model, train

NONE = KnowledgeType.NONE


@pytest.fixture(scope="module")
def trained() -> dict[str, object]:
    return train()


def test_the_pinned_model_is_what_training_on_the_dev_rows_gives(
    trained: dict[str, object],
) -> None:
    # train() also raises if plgbot's scoring differs from scikit-learn's.
    assert same_model(trained, pinned_data())


def test_a_changed_model_is_noticed(trained: dict[str, object]) -> None:
    changed = json.loads(json.dumps(trained))
    changed["intercepts"][0] += 0.01
    assert not same_model(changed, pinned_data())
    fewer = json.loads(json.dumps(trained))
    fewer["blocks"]["word"].pop(next(iter(fewer["blocks"]["word"])))
    assert not same_model(fewer, pinned_data())


def test_the_analysers_cut_text_as_scikit_learns_do() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    text = "we hebben 3 hypothesen opgesteld, ok? a b"
    sklearn_chars = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    sklearn_words = CountVectorizer(ngram_range=(1, 2)).build_analyzer()
    assert sorted(char_ngrams(text)) == sorted(sklearn_chars(text))
    assert sorted(word_ngrams(text)) == sorted(sklearn_words(text))


@pytest.mark.parametrize("text", ["", "   ", "🎉🎉", "x" * 20_000, "שלום"])
def test_any_text_gets_an_answer(text: str) -> None:
    probabilities = pinned().probabilities(text)
    assert all(0.0 < p < 1.0 for p in probabilities.values())


def test_a_file_for_other_types_is_refused() -> None:
    data = pinned_data()
    data["types"] = ["focus", "process"]
    with pytest.raises(ValueError, match="types"):
        Model.from_json(data)


def test_hashtags_are_certain() -> None:
    reading = read("verteld hoe het ging #aanpak")
    assert reading == type(reading)(KnowledgeType.PROCESS, unsure=False)


def test_nothing_found_is_unsure() -> None:
    reading = read("hoi")
    assert reading.types == NONE and reading.unsure


def test_lexicon_and_model_agreeing_is_sure_and_disagreeing_is_not() -> None:
    agreed = "De bijeenkomst van dinsdag is verplaatst naar volgende week."
    assert classify(agreed) == pinned().classify(agreed) == KnowledgeType.ORGANISATION
    assert not read(agreed).unsure
    # The lexicon has no cue pair for this; the model reads a result: plgbot takes it
    # and asks.
    text = "de cijfers gingen omhoog na de aanpassing"
    assert (classify(text), pinned().classify(text)) == (NONE, KnowledgeType.OUTCOMES)
    assert read(text) == type(read(text))(KnowledgeType.OUTCOMES, unsure=True)
