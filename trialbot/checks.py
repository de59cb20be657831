"""The checks a trial's rule can use: their names and the parameters each one needs.

A condition in ``criteria/<trial>.yml`` names one of these in ``check``. The schema
(``trialbot.criteria``) accepts exactly these names and the engine (``trialbot.engine``)
implements exactly these: it refuses to load when its checks and these names differ. A
new check is added here and in the engine. No imports, so both can import it.
"""

from __future__ import annotations

# Check name -> the condition's parameters it needs (the others are optional).
PARAMETERS: dict[str, tuple[str, ...]] = {
    "between": ("min", "max"),
    "equals": ("value",),
    "one_of": ("values",),
    "none_of": ("values",),
    "duration_over": ("months",),
    "conservative_care_failed": (),
    "mri_degeneration": (),
    "spect_levels_at_least": ("levels",),
}

NAMES: tuple[str, ...] = tuple(PARAMETERS)

# The checks of a number, whose limit a hedged answer can be read around (hedge_margin).
HEDGEABLE: tuple[str, ...] = ("between", "duration_over")
