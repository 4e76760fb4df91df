"""Alerts: tell users once about the new, edited, removed or restored news they care about.

Where things are:
- rules.py     what a rule is and whether an event matches it (`alerts add` checks input here)
- outbox       crawler/alerts/outbox.py queues one delivery per matching rule, in the event's transaction
- messages.py  the Vietnamese message for one event, or a digest of several
- channels.py  Apprise URLs: checked, masked for display, their secrets kept out of logs
- dispatch.py  THE place alerts are sent: `deliver_pending(database)` claims, sends, retries
"""
