"""The two query languages of an OpenID4VP request, for W3C credentials: building the
query, matching a credential against it, and reading a wallet's answer.

* DCQL (OpenID4VP 1.0 §6): one Credential Query whose `meta.type_values` lists the accepted
  types as fully expanded IRIs (Appendix B.1.1), of format `ldp_vc` (Data Integrity,
  answered with an ldp_vp presentation) or `jwt_vc_json` (VC-JWT credentials, answered with
  a VC-JWT presentation: a compact JWT with a `vp` claim, `nonce` and `aud`, B.1.3.1).
  Types are compared after JSON-LD expansion, so the OB 3.0 alias AchievementCredential
  matches OpenBadgeCredential. The answer's `vp_token` is a JSON object: credential query id
  -> array of presentations.
* DIF Presentation Exchange 2.0 (`presentation_definition`, answered with `vp_token` and
  `presentation_submission`), as OpenID4VP drafts up to 22 carried it; the 1.0 final keeps
  only DCQL. Input descriptor filters are JSON Schema (Draft 7); paths are JSONPath, of which
  the plain member/index subset (`$`, `.name`, `['name']`, `[0]`) is supported.

The verifier asks for one credential per request, so a readable answer holds exactly one
presentation. What cannot be read (bad JSON, wrong shape, nothing mapped) is a QueryError;
what can be read but does not satisfy the query becomes `Answer.problems`, which the verifier
reports as a failed check. Pure functions, no service state: the test wallet selects
credentials with the same rules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft7Validator

from standards.data_integrity import VERIFYING_SUITES
from standards.errors import StandardsError
from standards.jose import ALLOWED_ALGORITHMS, decode_compact_jws, looks_like_jwt
from standards.jsonld import engine_for

CREDENTIAL_QUERY_ID = "credential"  # DCQL credential query id and PE input descriptor id
LDP_VC = "ldp_vc"
LDP_VP = "ldp_vp"
JWT_VC_JSON = "jwt_vc_json"
DCQL_FORMATS = (LDP_VC, JWT_VC_JSON)
VC_CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2"
# Where the type names a verifier may ask for are defined. Each set is tried in turn; the
# OB 3.0 and CLR 2.0 contexts cannot be combined (both protect some of the same terms).
TYPE_VOCABULARIES = (
    (VC_CONTEXT_V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
    (VC_CONTEXT_V2, "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"),
)
MISSING = object()  # what json_path gives for a path that leads nowhere
_PATH_SEGMENT = re.compile(r"\.([A-Za-z_$@][\w$@-]*)|\[(\d+)\]|\['([^'\\]*)'\]|\[\"([^\"\\]*)\"\]")


class QueryError(ValueError):
    """A query or an answer that cannot be read; the message says what is wrong."""


@dataclass
class Answer:
    """The one presentation of a wallet's answer, and why it does not satisfy the query
    (empty when it does)."""

    presentation: Any
    problems: list[str] = field(default_factory=list)


# --- types ------------------------------------------------------------------------------
def type_iri(term: str) -> str:
    """The fully expanded IRI of a credential type name (or an IRI, which stays itself)."""
    for contexts in TYPE_VOCABULARIES:
        try:
            expanded = engine_for().expand({"@context": list(contexts), "type": term})
        except StandardsError:
            continue
        return str(expanded[0]["@type"][0])
    raise QueryError(f"unknown credential type {term!r}: not defined by the VC 2.0, "
                     "OB 3.0 or CLR 2.0 contexts")


def credential_type_iris(credential: dict[str, Any]) -> set[str]:
    """The expanded types of a JSON-LD credential; QueryError when they cannot be read."""
    try:
        expanded = engine_for().expand({"@context": credential.get("@context"),
                                        "type": credential.get("type")})
    except StandardsError as error:
        raise QueryError(f"its types cannot be read: {error}") from None
    return {str(t) for node in expanded for t in node.get("@type", [])}


def matches_type_values(credential: dict[str, Any], type_values: list[list[str]]) -> bool:
    """DCQL `meta.type_values`: some alternative's types are all among the credential's."""
    try:
        return _has_types(credential_type_iris(credential), type_values)
    except QueryError:
        return False


def _has_types(types: set[str], type_values: list[list[str]]) -> bool:
    return any(set(alternative) <= types for alternative in type_values)


def type_names(credential: Any) -> str:
    """The credential's `type` as written, for messages."""
    types = credential.get("type") if isinstance(credential, dict) else None
    types = types if isinstance(types, list) else [types]
    return ", ".join(str(t) for t in types if t != "VerifiableCredential") or "no type"


# --- building ---------------------------------------------------------------------------
def vp_formats_supported() -> dict[str, Any]:
    """Client metadata (§11.1, Appendix B.1.3.2): the Data Integrity proofs this verifier
    checks, for credentials and for the presentation around them."""
    proof_types = sorted({suite.proof_type for suite in VERIFYING_SUITES.values()})
    suites = sorted(name for name, suite in VERIFYING_SUITES.items()
                    if suite.proof_type == "DataIntegrityProof")
    return {LDP_VC: {"proof_type_values": proof_types, "cryptosuite_values": suites},
            JWT_VC_JSON: {"alg_values": list(ALLOWED_ALGORITHMS)}}


def pe_formats() -> dict[str, Any]:
    """The same, in Presentation Exchange's claim format designations."""
    proof_types = sorted({suite.proof_type for suite in VERIFYING_SUITES.values()})
    return {LDP_VP: {"proof_type": proof_types}, LDP_VC: {"proof_type": proof_types}}


def build_dcql_query(types: list[str], credential_format: str = LDP_VC) -> dict[str, Any]:
    """One credential query: a credential of any one of `types` in `credential_format`
    (ldp_vc or jwt_vc_json), with holder binding (the default of
    `require_cryptographic_holder_binding`)."""
    if credential_format not in DCQL_FORMATS:
        raise QueryError(f"unknown credential format {credential_format!r}: use "
                         f"{' or '.join(DCQL_FORMATS)}")
    accepted = [type_iri("VerifiableCredential")]
    alternatives = list(dict.fromkeys(type_iri(t) for t in types))
    return {"credentials": [{
        "id": CREDENTIAL_QUERY_ID, "format": credential_format,
        "meta": {"type_values": [[*accepted, iri] for iri in alternatives]},
    }]}


def build_presentation_definition(definition_id: str, types: list[str]) -> dict[str, Any]:
    """One input descriptor: a credential whose `type` holds one of `types`."""
    for name in types:
        type_iri(name)  # refuse names no context defines, as DCQL does
    return {
        "id": definition_id,
        "format": pe_formats(),
        "input_descriptors": [{
            "id": CREDENTIAL_QUERY_ID,
            "constraints": {"fields": [{
                "path": ["$.type"],
                "filter": {"type": "array", "contains": {"enum": list(types)}},
            }]},
        }],
    }


# --- Presentation Exchange matching -----------------------------------------------------
def json_path(root: Any, path: str) -> Any:
    """The value `path` selects in `root`, or MISSING; QueryError for syntax outside the
    supported subset (filters, wildcards, slices and recursive descent are not supported)."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise QueryError(f"JSONPath {path!r} must start with '$'")
    value, position = root, 1
    while position < len(path):
        match = _PATH_SEGMENT.match(path, position)
        if match is None:
            raise QueryError(f"JSONPath {path!r} is not supported: only $, .name, ['name'] "
                             "and [index] are")
        name, index, quoted, double_quoted = match.groups()
        position = match.end()
        if index is not None:
            if not isinstance(value, list) or int(index) >= len(value):
                return MISSING
            value = value[int(index)]
            continue
        key = name if name is not None else quoted if quoted is not None else double_quoted
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def meets_input_descriptor(credential: Any, descriptor: dict[str, Any]) -> bool:
    """PE 2.0 input evaluation of `constraints.fields`: each required field has a path whose
    value passes the field's filter (a JSON Schema)."""
    constraints = descriptor.get("constraints") or {}
    for spec in constraints.get("fields") or []:
        if spec.get("optional") is True:
            continue
        validator = Draft7Validator(spec["filter"]) if "filter" in spec else None
        values = [json_path(credential, path) for path in spec.get("path") or []]
        if not any(value is not MISSING and (validator is None or validator.is_valid(value))
                   for value in values):
            return False
    return True


# --- reading answers --------------------------------------------------------------------
def read_dcql_answer(query: dict[str, Any], vp_token: str, wanted: str) -> Answer:
    """The presentation for the request's one credential query, and its problems."""
    token = _json(vp_token, "vp_token")
    if not isinstance(token, dict):
        raise QueryError("vp_token must be a JSON object mapping the credential query id to "
                         "an array of presentations (DCQL)")
    (credential_query,) = query["credentials"]
    query_id = credential_query["id"]
    unknown = sorted(set(token) - {query_id})
    if unknown:
        raise QueryError(f"vp_token answers credential queries this request did not ask: "
                         f"{', '.join(unknown)}")
    presentations = token.get(query_id)
    if not isinstance(presentations, list) or len(presentations) != 1:
        raise QueryError(f"vp_token must hold exactly one presentation for credential query "
                         f"{query_id!r} (the request does not allow multiple)")
    presentation = _verifiable(presentations[0])
    type_values = credential_query["meta"]["type_values"]
    if credential_query["format"] == JWT_VC_JSON:
        return Answer(presentation, _jwt_answer_problems(presentation, type_values, wanted))
    problems = [problem for label, credential in _credentials(presentation)
                if (problem := _dcql_problem(label, credential, type_values, wanted))]
    return Answer(presentation, _shape_problems(presentation) + problems)


def jwt_credential_document(token: Any) -> dict[str, Any] | None:
    """The credential inside a VC-JWT (its `vc` claim, or the payload itself), read WITHOUT
    checking the signature: for matching only. None when `token` is not a JWT credential."""
    if not isinstance(token, str) or not looks_like_jwt(token):
        return None
    try:
        _header, payload = decode_compact_jws(token.strip())
    except StandardsError:
        return None
    document = payload.get("vc", payload)
    return document if isinstance(document, dict) and "vp" not in payload else None


def _jwt_answer_problems(presentation: Any, type_values: list[list[str]],
                         wanted: str) -> list[str]:
    """A jwt_vc_json answer: a VC-JWT presentation (`vp` claim) of JWT credentials."""
    vp = None
    if isinstance(presentation, str) and looks_like_jwt(presentation):
        try:
            vp = decode_compact_jws(presentation.strip())[1].get("vp")
        except StandardsError:
            vp = None
    if not isinstance(vp, dict):
        return [f"the presentation is not a VC-JWT presentation (a JWT with a vp claim); the "
                f"request asks for format {JWT_VC_JSON}"]
    credentials = _credentials(vp)
    if not credentials:
        return ["the presentation holds no credential"]
    problems = []
    for label, credential in credentials:
        document = jwt_credential_document(credential)
        problem = (f"{label} is not a JWT ({JWT_VC_JSON}) credential" if document is None
                   else _dcql_problem(label, document, type_values, wanted))
        if problem:
            problems.append(problem)
    return problems


def _dcql_problem(label: str, credential: Any, type_values: list[list[str]],
                  wanted: str) -> str | None:
    if not isinstance(credential, dict):
        return f"{label} is not a Data Integrity ({LDP_VC}) credential"
    try:
        types = credential_type_iris(credential)
    except QueryError as error:
        return f"{label}: {error}"
    if not _has_types(types, type_values):
        return (f"{label} ({type_names(credential)}) is not of a type the request asks for "
                f"({wanted})")
    return None


def read_pe_answer(definition: dict[str, Any], vp_token: str, submission_text: str | None,
                   wanted: str) -> Answer:
    """The presentation the submission maps the input descriptors to, and its problems."""
    if submission_text is None:
        raise QueryError("a Presentation Exchange answer needs presentation_submission")
    submission = _json(submission_text, "presentation_submission")
    if not isinstance(submission, dict):
        raise QueryError("presentation_submission must be a JSON object")
    if submission.get("definition_id") != definition["id"]:
        raise QueryError(f"presentation_submission answers definition "
                         f"{submission.get('definition_id')!r}, not this request's "
                         f"{definition['id']!r}")
    mappings = submission.get("descriptor_map")
    if not isinstance(mappings, list) or not all(
            isinstance(m, dict) and all(isinstance(m.get(k), str) for k in ("id", "format",
                                                                            "path"))
            for m in mappings):
        raise QueryError("presentation_submission.descriptor_map must be an array of objects "
                         "with string id, format and path")
    try:
        token: Any = json.loads(vp_token)
    except ValueError:
        token = vp_token  # a presentation sent as a plain string (a JWT)
    except RecursionError:
        raise QueryError("vp_token is nested too deeply") from None
    if isinstance(token, list) and len(token) != 1:
        raise QueryError(f"the request asks for one presentation; vp_token holds {len(token)}")
    presentation: Any = MISSING
    problems: list[str] = []
    for descriptor in definition["input_descriptors"]:
        mapping = next((m for m in mappings if m["id"] == descriptor["id"]), None)
        if mapping is None:
            raise QueryError(f"presentation_submission maps nothing to input descriptor "
                             f"{descriptor['id']!r}")
        found = json_path(token, mapping["path"])
        if found is MISSING:
            raise QueryError(f"descriptor path {mapping['path']!r} leads to no presentation "
                             "in vp_token")
        if presentation is not MISSING and found is not presentation:
            raise QueryError("the request asks for one presentation; the submission maps "
                             "input descriptors to several")
        presentation = _verifiable(found)
        problems += _pe_mapping_problems(found, mapping, descriptor, wanted)
    return Answer(presentation, _shape_problems(presentation) + problems)


def _verifiable(presentation: Any) -> Any:
    if not isinstance(presentation, dict | str):
        raise QueryError("a presentation must be a JSON object (ldp_vp) or a string (a JWT)")
    return presentation


def _pe_mapping_problems(presentation: Any, mapping: dict[str, Any],
                         descriptor: dict[str, Any], wanted: str) -> list[str]:
    if mapping["format"] != LDP_VP:
        return [f"the submission says the presentation is {mapping['format']!r}; the request "
                f"asks for {LDP_VP}"]
    nested = mapping.get("path_nested")
    if not isinstance(nested, dict) or not isinstance(nested.get("path"), str):
        return [f"the submission maps input descriptor {descriptor['id']!r} to the "
                "presentation itself, not to a credential in it (path_nested is missing)"]
    if nested.get("id", mapping["id"]) != mapping["id"]:
        return ["path_nested names another input descriptor than its mapping"]
    # PE 2.0 "Processing of path_nested Entries": relative to what the parent path selected.
    credential = json_path(presentation, nested["path"])
    label = f"the credential at {nested['path']}"
    if credential is MISSING:
        return [f"the presentation has nothing at {nested['path']} (path_nested)"]
    if nested.get("format") != LDP_VC or not isinstance(credential, dict):
        return [f"{label} is not a Data Integrity ({LDP_VC}) credential"]
    if not meets_input_descriptor(credential, descriptor):
        return [f"{label} ({type_names(credential)}) is not of a type the request asks for "
                f"({wanted})"]
    return []


def _shape_problems(presentation: Any) -> list[str]:
    if not isinstance(presentation, dict):
        return [f"the presentation is not a Data Integrity ({LDP_VP}) presentation (a JSON "
                "object); the request asks for format " + LDP_VC]
    if not _credentials(presentation):
        return ["the presentation holds no credential"]
    return []


def _credentials(presentation: Any) -> list[tuple[str, Any]]:
    if not isinstance(presentation, dict):
        return []
    found = presentation.get("verifiableCredential")
    found = found if isinstance(found, list) else [] if found is None else [found]
    return [(f"credential[{index}]", credential) for index, credential in enumerate(found)]


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise QueryError(f"{what} is not valid JSON: {error}") from None
    except RecursionError:
        raise QueryError(f"{what} is nested too deeply") from None
