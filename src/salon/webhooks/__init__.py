"""Webhooks: signed, durable, retried deliveries of what happens in rooms.

    room event ──(same transaction)──► outbox: webhook_events + one delivery per endpoint
    dispatcher ──claims due deliveries──► signs ──► POST (timeout) ──► delivered | retry | failed

Receivers verify deliveries with `salon.webhooks.verify(body, header, secret)`.
"""

from salon.webhooks.signing import HEADER, InvalidSignature, sign, verify

__all__ = ["HEADER", "InvalidSignature", "sign", "verify"]
