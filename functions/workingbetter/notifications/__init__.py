"""Reminders to patients, chasers to coaches, alerts to ops and feedback to practices.

Every message is a row in an outbox scheduled by the pathway as it moves (`notices`), sent by
one scheduled function (`sending`) through one small interface (`senders`), worded in one
place (`messages`). The outbox holds ids, enums and times only; a message's words and its
address are put together at the moment of sending and never stored.
"""
