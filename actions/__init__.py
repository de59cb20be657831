"""trialbot's Rasa custom actions: a thin adapter over the screening core.

``interview`` is the one action every candidate message goes to (the policy itself is
``trialbot.interview``); ``runtime`` holds the resources it uses (the trial, the
screening store). What it says is rendered from the catalog ``bot/messages/<lang>.yml``.
"""
