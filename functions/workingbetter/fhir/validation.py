"""Reading a FHIR resource with `fhir.resources` (R4B models: see the README's FHIR section):
what does not validate is a 400 OperationOutcome naming each element at fault as FHIRPath.

Only the FHIR routes import this module, so the library loads with the first resource sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from workingbetter.domain.errors import BadRequest, FieldError, InvalidInput

R = TypeVar("R")

_ELEMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# pydantic's words for the kinds of error a resource has, without the value sent.
_WORDS = {
    "missing": "This element is required",
    "model_field_validation.missing": "This element is required",
    "extra_forbidden": "This element is not part of this resource in FHIR R4",
    "list_type": "This element repeats: send an array",
    "dict_type": "This element is a complex type: send an object",
    "model_type": "This element is a complex type: send an object",
    "string_type": "This element is a string",
    "bool_type": "This element is true or false",
    "int_type": "This element is an integer",
    "greater_than_equal": "This number is too small",
    "string_unicode": "This text has characters that are not allowed",
}


def fhirpath(resource_type: str, loc: Sequence[int | str]) -> str:
    """pydantic's location as FHIRPath: ('contained', 0, 'birthDate') on a ServiceRequest is
    ServiceRequest.contained[0].birthDate. A primitive's extension (birthDate__ext) is
    _birthDate, as in FHIR's JSON; pydantic's own union tags are left out."""
    path = resource_type
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.endswith("__ext"):
            path += f"._{part.removesuffix('__ext')}"
        elif _ELEMENT.match(part):
            path += f".{part}"
    return path


def _message(kind: str, msg: str) -> str:
    if kind in _WORDS:
        return _WORDS[kind]
    if kind == "value_error":
        # fhir.resources' own checks ("Date value string does not match spec regex."): they
        # describe the rule, never the value.
        return msg.removeprefix("Value error, ")
    return f"This value is not valid here ({kind})"


def not_fhir(detail: str, expression: str = "") -> BadRequest:
    return BadRequest(detail, [FieldError(expression, detail)] if expression else [])


def parse(model: type[R], resource_type: str, body: Any) -> R:
    """The body as a resource of `resource_type`, or BadRequest (400) naming what is wrong;
    a resource of another type is valid FHIR this route does not take (422)."""
    if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
        raise not_fhir("Send a FHIR resource: a JSON object with a resourceType")
    if body["resourceType"] != resource_type:
        raise InvalidInput(f"This endpoint takes a {resource_type}", [
            FieldError(resource_type, f"Send a {resource_type} resource")])
    try:
        return model.model_validate(body)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as error:
        raise BadRequest(f"The {resource_type} is not valid FHIR R4: nothing was saved", [
            FieldError(fhirpath(resource_type, e["loc"]), _message(e["type"], e["msg"]))
            for e in error.errors(include_input=False, include_url=False)
        ]) from error
    except (KeyError, ValueError, TypeError) as error:
        # fhir.resources raises KeyError for a contained resource of an unknown type.
        raise not_fhir(f"The {resource_type} is not valid FHIR R4 (a resource type it "
                       "contains is unknown): nothing was saved", resource_type) from error
