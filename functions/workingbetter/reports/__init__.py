"""Outcome reports for ops and commissioners: counts, rates and IPS fidelity from the workflow
items (ids, enums, dates and numbers), never the personal-data table, small numbers suppressed.
"""
