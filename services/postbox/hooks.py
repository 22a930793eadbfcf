"""Hooks of the postbox: further channels of a delivered message."""

from __future__ import annotations

from kreisportal.hooks import Hook

# receivers(message: PostboxMessage): sent in the message's transaction by do_deliver_message,
# once per message; further channels (the citizen's federal postbox) queue their delivery
message_delivered = Hook("message_delivered")
