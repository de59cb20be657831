"""trialbot: prescreening candidates for clinical trials.

The core is plain, typed Python with no I/O: criteria files (``trialbot.criteria``),
answer understanding (``trialbot.parsing``), the eligibility engine
(``trialbot.engine``). The store, CLI, Rasa actions and triage web app are adapters.
"""

__version__ = "0.1.0"
