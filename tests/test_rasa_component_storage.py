"""The NLU classifiers are saved as plain arrays (trialbot/rasa_components.py): loading a
model runs no pickle (as Rasa's skops format promised) and needs no skops, whose import
took 7 s of the Rasa server's start; the loaded model predicts exactly what was saved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from trialbot.rasa_components import _load_arrays, _save_arrays


def _fitted() -> LogisticRegression:
    rng = np.random.default_rng(7)
    x = rng.random((60, 12))
    y = np.array(["faq/what_is_mri", "faq/why_study", "chitchat/how_are_you"] * 20)
    return LogisticRegression(max_iter=500, random_state=42).fit(x, y)


def test_a_saved_model_predicts_exactly_what_it_did(tmp_path: Path) -> None:
    fitted = _fitted()
    _save_arrays(fitted, tmp_path / "model.npz")
    loaded = LogisticRegression(max_iter=500, random_state=42)
    _load_arrays(loaded, tmp_path / "model.npz")

    probe = np.random.default_rng(8).random((25, 12))
    assert list(loaded.classes_) == list(fitted.classes_)
    assert loaded.n_features_in_ == 12
    np.testing.assert_array_equal(loaded.predict_proba(probe), fitted.predict_proba(probe))
    assert list(loaded.predict(probe)) == list(fitted.predict(probe))


def test_the_file_holds_only_arrays(tmp_path: Path) -> None:
    _save_arrays(_fitted(), tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as saved:
        assert sorted(saved.files) == ["classes", "coef", "intercept"]
        assert all(saved[name].dtype != object for name in saved.files)
