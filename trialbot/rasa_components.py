"""Rasa NLU components of trialbot's own, named in ``config.yml``.

:class:`IntentClassifier` is Rasa's LogisticRegressionClassifier, except that a message
with no tokens (an empty or blank text) is classified instead of crashing the graph:
Rasa's featurizers give such a message fewer feature columns than the model was trained
on, and scikit-learn refuses the row. It gets an all-zero row, which is what "no word of
it is known" means to the model.

:class:`RetrievalResponseSelector` is Rasa's ResponseSelector, except that it only
picks a response for a message whose intent is one of its retrieval intents (``faq``,
``chitchat``). Rasa's runs its TensorFlow model on every message, although a pick is
only ever used after those intents (``action_check_faq``/``utter_faq``,
``utter_chitchat``); most of a screening's messages are answers, and the model call
was a tenth of the Rasa server's time per message. Training is Rasa's, unchanged.
"""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE as SENTENCE
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, csr_matrix, vstack


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier that also classifies a message with no tokens."""

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        width = getattr(self.clf, "n_features_in_", None)  # set once the model is fitted
        if width is None:
            return super()._create_X(messages)
        return vstack([_sentence_row(message, width) for message in messages], format="csr")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RetrievalResponseSelector(ResponseSelector):
    """A ResponseSelector that answers only messages classified as a retrieval intent."""

    def process(self, messages: list[Message]) -> list[Message]:
        retrieval = set(self.all_retrieval_intents)
        if self.retrieval_intent:
            retrieval &= {self.retrieval_intent}
        wanted = [m for m in messages if _intent(m) in retrieval]
        if wanted:
            super().process(wanted)
        return messages


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
