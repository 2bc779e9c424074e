"""Writes to the directory: parties, their status, agencies and officers.

Each function is one use case in one transaction with its audit event. The Django groups that
object permissions are granted to (one per agency, one per National Focal Point, one for the
directory administrators) are kept in step by these services (``groups``), never by signals.
One module per concern; import a service from its own module (this package re-exports none).
"""
