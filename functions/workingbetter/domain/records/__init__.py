"""The stored records as the service reads them: typed, frozen, free of DynamoDB, a module
per family (the referral, the directory, the diary, the outbox, the patient's personal data,
access requests, the case record, the read audit).

The adapters (adapters/item_codec.py and the repositories) turn items into these and back;
services never see an attribute name. A field a record does not have (never written,
removed, or left out of a list's projection) reads as its default. Numbers come back as int
(or float), never Decimal.
"""

from __future__ import annotations

from dataclasses import fields


def field_names(*records: type) -> frozenset[str]:
    """Every field name of these records (and of the records inside them)."""
    return frozenset(f.name for record in records for f in fields(record))
