"""JSON Schema validation against the bundled OB 3.0 schemas (draft 2019-09).

The schemas in `standards/schemas/ob_v3p0/` are byte-for-byte copies of the 1EdTech
"jsonschema1" variant (https://purl.imsglobal.org/spec/ob/v3p0/schema/json/...). They `$ref`
only into their own `$defs`; every `$ref` is resolved from the bundle through a `referencing`
registry that refuses to retrieve anything else, so validation never touches the network.
Each validator is compiled once per process. A compiled (Rust) validator answers first, and
only its "valid" is used (standards.ob3.compiled_schema); Python jsonschema, the reference,
judges everything else and writes every message. `standards/schemas/clr_v2p0/` holds
OpenDossier's own structural schema for CLR 2.0 (see `validate_clr_credential`), which
`$ref`s the OB 3.0 definitions.

Date-times are checked as RFC 3339 (the schema's `format: date-time`, via rfc3339-validator):
jsonschema ignores formats unless a checker is wired in, which would let `"validFrom": "soon"`
pass silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from rfc3339_validator import validate_rfc3339

from standards.errors import SchemaValidationError
from standards.ob3.compiled_schema import CompiledSchemas

SCHEMA_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
ACHIEVEMENT_CREDENTIAL_SCHEMA = SCHEMA_BASE + "ob_v3p0_achievementcredential-jsonschema1.json"
ENDORSEMENT_CREDENTIAL_SCHEMA = SCHEMA_BASE + "ob_v3p0_endorsementcredential-jsonschema1.json"
PROFILE_SCHEMA = SCHEMA_BASE + "ob_v3p0_profile-jsonschema1.json"
GET_CREDENTIALS_RESPONSE_SCHEMA = (
    SCHEMA_BASE + "ob_v3p0_getopenbadgecredentialsresponse-jsonschema1.json"
)
IMSX_STATUS_INFO_SCHEMA = SCHEMA_BASE + "ob_v3p0_imsx_statusinfo-jsonschema1.json"
# Not a 1EdTech schema: OpenDossier's structural check of CLR 2.0 (see validate_clr_credential).
CLR_CREDENTIAL_SCHEMA = "urn:opendossier:schema:clr_v2p0_clrcredential"

# The spec and credentials' `credentialSchema` name the schemas by these URLs (the JSON-LD
# variant is identical apart from its $id); they resolve to the same bundled files.
_JSON_LD_VARIANT_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/"
SCHEMA_ALIASES = {
    SCHEMA_BASE + "ob_v3p0_achievementcredential_schema.json": ACHIEVEMENT_CREDENTIAL_SCHEMA,
    _JSON_LD_VARIANT_BASE + "ob_v3p0_achievementcredential_schema.json": (
        ACHIEVEMENT_CREDENTIAL_SCHEMA
    ),
    SCHEMA_BASE + "ob_v3p0_endorsementcredential_schema.json": ENDORSEMENT_CREDENTIAL_SCHEMA,
    SCHEMA_BASE + "ob_v3p0_profile_schema.json": PROFILE_SCHEMA,
    SCHEMA_BASE + "ob_v3p0_getopenbadgecredentialsresponse_schema.json": (
        GET_CREDENTIALS_RESPONSE_SCHEMA
    ),
    SCHEMA_BASE + "ob_v3p0_imsx_statusinfo_schema.json": IMSX_STATUS_INFO_SCHEMA,
}

_MAX_MESSAGE = 200


class SchemaViolationError(SchemaValidationError):
    """A document failed its schema; `errors` lists each problem with its JSON path."""

    def __init__(self, what: str, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(f"{what} does not conform to its schema: " + "; ".join(errors))


def _refuse_retrieval(uri: str) -> Resource:
    # referencing types its attrs classes with a decorator mypy does not read.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def _bundled_schema_files() -> Iterable[Any]:
    folder = resources.files("standards") / "schemas"
    for sub in folder.iterdir():
        if sub.is_dir():
            yield from (f for f in sub.iterdir() if f.name.endswith(".json"))


@cache
def bundled_schemas() -> dict[str, Any]:
    """Every bundled schema's contents under its `$id` and its aliases."""
    by_id: dict[str, Any] = {}
    for file in _bundled_schema_files():
        contents = json.loads(file.read_text(encoding="utf-8"))
        by_id[contents["$id"]] = contents
    return {**by_id, **{alias: by_id[target] for alias, target in SCHEMA_ALIASES.items()}}


@cache
def registry() -> Registry:
    """Every bundled schema under its `$id` (and aliases); nothing is ever fetched."""
    schemas = [(uri, Resource.from_contents(contents))
               for uri, contents in bundled_schemas().items()]
    registry: Registry[Any] = Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
    return registry.with_resources(schemas)


@cache
def compiled_schemas() -> CompiledSchemas:
    """The compiled fast path (standards.ob3.compiled_schema), checking formats with the
    reference's own checkers."""
    checker = _format_checker()

    def format_check(name: str) -> Callable[[str], bool]:
        return lambda value: checker.conforms(value, name)

    return CompiledSchemas(bundled_schemas().items(),
                           {name: format_check(name) for name in checker.checkers})


@cache
def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("date-time")(_is_rfc3339)
    return checker


def _is_rfc3339(value: object) -> bool:
    # Formats apply to strings only; a number where a date belongs is the `type` keyword's
    # error (as jsonschema's own format checkers treat other types).
    return not isinstance(value, str) or bool(validate_rfc3339(value))


@cache
def validator_for(uri: str) -> Draft201909Validator:
    """A compiled validator for a bundled schema URI, or a fragment such as `...#/$defs/Profile`."""
    base = uri.split("#", 1)[0]
    try:
        registry().get_or_retrieve(SCHEMA_ALIASES.get(base, base))
    except NoSuchResource:
        raise SchemaValidationError(
            f"schema {base} is not bundled with OpenDossier; schemas are never fetched"
        ) from None
    return Draft201909Validator(
        {"$ref": uri}, registry=registry(), format_checker=_format_checker()
    )


def definition_uri(name: str, schema: str = ACHIEVEMENT_CREDENTIAL_SCHEMA) -> str:
    """The URI of one class definition, e.g. `definition_uri("Achievement")`."""
    return f"{schema}#/$defs/{name}"


def schema_errors(document: Any, uri: str) -> list[str]:
    """Human-readable errors of `document` against schema `uri`; empty when it conforms.

    A document the compiled validator accepts conforms; any other is judged, and its
    errors written, by the reference (Python jsonschema)."""
    validator = validator_for(uri)  # refuses an unbundled schema, as always
    if compiled_schemas().accepts(document, uri):
        return []
    errors = validator.iter_errors(document)
    # Sorted so that output is stable and grouped by path. jsonschema reports each missing
    # required property as its own error, all carrying the same list, which _describe
    # expands; the set drops the repeats.
    return sorted({message for error in errors for message in _describe(error)})


def ensure_conforms(document: Any, uri: str, what: str) -> None:
    """Raise SchemaViolationError (a SchemaValidationError) naming every problem."""
    errors = schema_errors(document, uri)
    if errors:
        raise SchemaViolationError(what, errors)


def json_path(parts: Iterable[str | int]) -> str:
    """`("credentialSubject", "result", 0)` -> `$.credentialSubject.result[0]`."""
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _path(error: ValidationError, extra: str | None = None) -> str:
    return json_path([*error.absolute_path, *([extra] if extra is not None else [])])


def _describe(error: ValidationError) -> list[str]:
    """One line per problem: `<JSON path>: <what is wrong>`, descending into oneOf/anyOf."""
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = [name for name in error.validator_value if _lacks(error.instance, name)]
        return [f"{_path(error, name)}: required property is missing" for name in missing]
    if error.validator in ("oneOf", "anyOf") and error.context:
        branch = _only_plausible_branch(error)
        if branch is not None:
            return [message for sub in branch for message in _describe(sub)]
        reasons = " / ".join(_message(sub, 120) for sub in error.context)
        return [f"{_path(error)}: matches none of the allowed forms: {reasons}"]
    return [f"{_path(error)}: {_message(error)}"]


def _lacks(instance: Any, name: str) -> bool:
    return isinstance(instance, Mapping) and name not in instance


def _only_plausible_branch(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the one alternative whose basic JSON type fits the instance, if unique.

    E.g. issuer is `string | Profile`: for an object issuer the useful errors are the
    Profile ones, not "is not of type 'string'".
    """
    branches: dict[str | int, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    plausible = [
        subs
        for subs in branches.values()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
    ]
    return plausible[0] if len(plausible) == 1 else None


def _message(error: ValidationError, limit: int = _MAX_MESSAGE) -> str:
    """jsonschema's message, with a long instance (a whole proof object...) abbreviated."""
    text = error.message
    instance = repr(error.instance)
    if len(instance) > 60 and instance in text:
        text = text.replace(instance, _abbreviate(error.instance), 1)
    return _shorten(text, limit)


def _abbreviate(instance: Any) -> str:
    if isinstance(instance, Mapping) and instance:
        key, value = next(iter(instance.items()))
        return "{" + _shorten(f"{key!r}: {value!r}", 50) + ", …}"
    if isinstance(instance, list):
        return f"[…{len(instance)} items]"
    return _shorten(repr(instance), 60)


def _shorten(message: str, limit: int = _MAX_MESSAGE) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
