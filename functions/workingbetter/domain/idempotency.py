"""The Idempotency-Key rule, the same for every write that takes a key (a referral, a case
note, an employer contact; a page's form sends its own key): the same key with the same request
answers what the first answered and writes nothing more; the same key with a different request
is refused, saying so, and writes nothing. Requests are compared by a fingerprint of what was
parsed (so spacing and the order of fields do not matter), kept where the first answer is kept.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from workingbetter.domain.errors import Conflict, FieldError, InvalidInput

if TYPE_CHECKING:  # the API's init does not load pydantic (handlers/api.py)
    from pydantic import BaseModel

KEY = "Idempotency-Key"
SHORTEST, LONGEST = 8, 128


def checked(key: str | None, name: str = KEY) -> str | None:
    """The key as sent (None: none was sent); a key of the wrong length is refused."""
    if key is not None and not SHORTEST <= len(key) <= LONGEST:
        raise InvalidInput(f"The {name} header must be {SHORTEST} to {LONGEST} characters",
                           [FieldError(name, f"Use {SHORTEST} to {LONGEST} characters")])
    return key


def fingerprint(request: BaseModel) -> str:
    """What a repeat is compared by: a hash of the request as parsed."""
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


class KeyReused(Conflict):
    """The key was already used for a different request: nothing was saved."""

    title = "The key was already used for a different request"

    def __init__(self, name: str = KEY, what: str = "request") -> None:
        super().__init__(f"This {name} was already used for a different {what}: nothing was "
                         f"saved. To save this one, send it with a new {name}.",
                         [FieldError(name, f"Already used for a different {what}")])
