"""Rasa NLU components of trialbot's own, named in ``config.yml``.

:class:`IntentClassifier` is Rasa's LogisticRegressionClassifier, except that a message
with no tokens (an empty or blank text) is classified instead of crashing the graph:
Rasa's featurizers give such a message fewer feature columns than the model was trained
on, and scikit-learn refuses the row. It gets an all-zero row, which is what "no word of
it is known" means to the model.

:class:`SparseResponseSelector` picks the FAQ entry or small-talk reply for a message
classified as a retrieval intent (``faq``, ``chitchat``), by logistic regression on the
same sparse features as the intent classifier. It replaces Rasa's ResponseSelector, a
TensorFlow model whose weights over the character n-grams took 91 MB in the model file
and about 300 MB of the Rasa server's memory once loaded, and whose 60 training epochs
were most of the training time; the pick is only a hint to the interview
(``actions/interview.py``: below 0.3 confidence it is ignored). Its output is Rasa's
ResponseSelector output (``response_selector`` → ``default`` → ``response``:
``intent_response_key``, ``confidence``, ``responses``, ``utter_action``; ``ranking``),
and it runs only on messages classified as a retrieval intent: most of a screening's
messages are answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE as SENTENCE
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix, csr_matrix, vstack

# The fitted model is saved as plain arrays (``numpy.savez``; loaded with
# ``allow_pickle=False``): nothing executable in the model file, as with Rasa's own skops
# format, but without importing skops, whose import walked every loaded module for each of
# its 777 trusted types — 7 s of the Rasa server's start with TensorFlow loaded.
_ARRAYS = "logistic_regression.npz"


def _save_arrays(clf: Any, path: Path) -> None:
    np.savez(
        path,
        classes=np.asarray([str(c) for c in clf.classes_]),
        coef=clf.coef_,
        intercept=clf.intercept_,
    )


def _load_arrays(clf: Any, path: Path) -> None:
    with np.load(path, allow_pickle=False) as saved:
        clf.classes_ = saved["classes"]
        clf.coef_ = saved["coef"]
        clf.intercept_ = saved["intercept"]
    clf.n_features_in_ = clf.coef_.shape[1]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier that also classifies a message with no tokens,
    saved as plain arrays."""

    def persist(self) -> None:
        if not hasattr(self.clf, "classes_"):
            return
        with self._model_storage.write_to(self._resource) as model_dir:
            _save_arrays(self.clf, model_dir / _ARRAYS)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                if (model_dir / _ARRAYS).exists():
                    _load_arrays(component.clf, model_dir / _ARRAYS)
        except ValueError:  # Rasa's way of saying the resource is not there: untrained
            pass
        return component

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        width = getattr(self.clf, "n_features_in_", None)  # set once the model is fitted
        if width is None:
            return super()._create_X(messages)
        return vstack([_sentence_row(message, width) for message in messages], format="csr")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SparseResponseSelector(IntentClassifier):
    """Picks the response of a retrieval intent (``faq/what_is_mri``) by logistic
    regression; sets Rasa's ``response_selector`` output, never the intent."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**IntentClassifier.get_default_config(), "ranking_length": 5}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retrieval_intents: list[str] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}

    def train(self, training_data: TrainingData) -> Resource:
        self.retrieval_intents = sorted(training_data.retrieval_intents)
        examples = [
            e
            for e in training_data.intent_examples
            if e.get(INTENT) in self.retrieval_intents
            and e.get(INTENT_RESPONSE_KEY)
            and e.get(TEXT)
        ]
        keys = sorted({str(e.get(INTENT_RESPONSE_KEY)) for e in examples})
        self.responses = {
            key: list(training_data.responses.get(_utter_action(key), [])) for key in keys
        }
        if len(keys) < 2:  # nothing to choose between: no model, no picks
            self.persist()
            return self._resource
        self.clf.fit(self._create_X(examples), [e.get(INTENT_RESPONSE_KEY) for e in examples])
        self.persist()
        return self._resource

    def persist(self) -> None:
        super().persist()
        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / "responses.json").write_text(
                json.dumps(
                    {"retrieval_intents": self.retrieval_intents, "responses": self.responses}
                )
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SparseResponseSelector:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        assert isinstance(component, SparseResponseSelector)
        with model_storage.read_from(resource) as model_dir:
            saved = json.loads((model_dir / "responses.json").read_text())
        component.retrieval_intents = list(saved["retrieval_intents"])
        component.responses = dict(saved["responses"])
        return component

    def process(self, messages: list[Message]) -> list[Message]:
        wanted = [m for m in messages if _intent(m) in self.retrieval_intents]
        if not wanted or not hasattr(self.clf, "classes_"):
            return messages
        probabilities = self.clf.predict_proba(self._create_X(wanted))
        for message, row in zip(wanted, probabilities, strict=True):
            scored = sorted(
                ((float(p), str(key)) for key, p in zip(self.clf.classes_, row, strict=True)),
                reverse=True,
            )
            ranking = [
                {INTENT_RESPONSE_KEY: k, PREDICTED_CONFIDENCE_KEY: p}
                for p, k in scored[: self.config["ranking_length"]]
            ]
            confidence, key = scored[0]
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(key, []),
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: _utter_action(key),
                },
                RESPONSE_SELECTOR_RANKING_KEY: ranking,
            }
            message.set(
                RESPONSE_SELECTOR_PROPERTY_NAME,
                {
                    RESPONSE_SELECTOR_RETRIEVAL_INTENTS: self.retrieval_intents,
                    RESPONSE_SELECTOR_DEFAULT_INTENT: prediction,
                },
                add_to_output=True,
            )
        return messages


def _utter_action(intent_response_key: str) -> str:
    return f"utter_{intent_response_key}"


def _sentence_row(message: Message, width: int) -> csr_matrix:
    """The message's sentence features as one row, or an all-zero row when they do not
    have the width the model was trained on.

    The columns are laid out as Rasa's ``_create_X`` lays them out (every featurizer's
    sparse sentence features in pipeline order, then the dense ones), but without
    ``Message.get_sparse_features``, which deep-copies and stacks the per-token sequence
    features as well (never used here), and without SciPy's ``hstack``, whose block
    machinery costs more than the row itself."""
    sentence = [f for f in message.features if f.attribute == TEXT and f.type == SENTENCE]
    parts = [coo_matrix(f.features) for f in sentence if f.is_sparse()]
    parts += [coo_matrix(f.features) for f in sentence if f.is_dense()]
    if not parts or sum(p.shape[1] for p in parts) != width or any(p.shape[0] != 1 for p in parts):
        return csr_matrix((1, width))
    offsets = np.cumsum([0] + [p.shape[1] for p in parts[:-1]])
    indices = np.concatenate([p.col + offset for p, offset in zip(parts, offsets, strict=True)])
    data = np.concatenate([p.data for p in parts])
    row = csr_matrix((data, indices, [0, len(data)]), shape=(1, width))
    row.sum_duplicates()  # also sorts the columns, as SciPy's own constructors do
    return row


def _intent(message: Message) -> str | None:
    intent = message.get(INTENT) or {}
    return intent.get(INTENT_NAME_KEY) if isinstance(intent, dict) else None
