"""Telling the study team about new handoffs: the outbox worker, e-mail and webhook.

``ScreeningStore.complete()`` writes one ``notification_outbox`` row per channel in the
handoff's transaction. The worker (``trialbot.notify.worker``) claims due rows, sends
them and marks each sent, or failed with a retry time (exponential backoff). A
notification says only that there is a handoff: trial, priority, id and a link. It
never carries health data or contact details; staff sign in to see those.
"""
