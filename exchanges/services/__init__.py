"""Writes to exchanges: one use case per function, one transaction, one audit event.

Every function decides permissions through ``exchanges.policy`` (never here) and re-stores the
result with ``permissions_sync`` before it returns, so a change of restrictions or of a party's
status takes effect for everyone at once. One module per concern; import a service from its own
module (this package re-exports none).
"""
