"""trialbot's Rasa custom actions: a thin adapter over the screening core.

One module per concern: ``screening`` (the form, asking, finishing), ``faq``,
``corrections``, ``session`` (introduce, restart, stop), ``safety`` (warning signs);
``runtime`` holds the resources they share (the trial, the screening store). What
they say is rendered from the catalog ``bot/messages.yml`` (``trialbot.messages``).
"""
