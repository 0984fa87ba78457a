"""Typed actions: one plain function per thing a person can do, below both front doors.

The chat handlers read text and call them; the office page reads form fields and calls the same
ones. An action asks the one access rule (``services.access``), checks its typed values, changes
the data, and hands back what it did, or ``Problems`` keyed by field. What must be said to other
people comes back as ``Tell`` messages: the chat returns them as private replies, the page queues
them in the outbox. Neither front door re-validates, and no action composes a command's text.
"""
