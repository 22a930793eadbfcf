"""Reading a provider's webhook body safely: a JSON object of sane depth, or a clear refusal.

`json.loads` raises RecursionError (not ValueError) on e.g. 100 000 × "[", and a list or a
string is valid JSON too; neither may reach a handler that expects an event object.
"""

from __future__ import annotations

import json

# A webhook body nests a few levels (event → resource → supplementary_data → related_ids); a
# deeper one is not from a provider.
MAX_WEBHOOK_DEPTH = 32


class BadWebhookBody(ValueError):
    pass


def _too_deep(value: object, limit: int) -> bool:
    """Whether JSON containers nest deeper than `limit` (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_webhook_body(raw: bytes) -> dict:
    """The webhook's JSON object; BadWebhookBody for anything else (not JSON, not an object,
    nested deeper than any provider's event)."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: e.g. 100 000 × "["
        raise BadWebhookBody("body is not JSON") from exc
    if not isinstance(body, dict):
        raise BadWebhookBody("body must be a JSON object")
    if _too_deep(body, MAX_WEBHOOK_DEPTH):
        raise BadWebhookBody("body nests too deeply")
    return body


def field(value: object, *path: str) -> object:
    """value[path[0]][path[1]]…, or None where a level is missing or not an object."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
