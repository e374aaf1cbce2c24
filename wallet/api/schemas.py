"""The wallet API's request bodies as Pydantic models, so FastAPI parses them and the OpenAPI
document describes them.

A body that is not JSON, or a field of the wrong JSON type where the model says so, is a 400
naming the field (servicekit.api_errors). Some fields are checked by the service instead,
which refuses a wrong value with 422 and its own words (the wallet API answered so before it
had models, and clients rely on it): those are typed `Text`, `Ids` or `Flag`. OpenAPI shows
them with their JSON type; the model passes on what was sent, and the service checks it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

# Checked by the service (422 when wrong), documented by their JSON type.
Text = Annotated[Any, WithJsonSchema({"type": "string"})]
Ids = Annotated[Any, WithJsonSchema({"type": "array", "items": {"type": "string"}})]
Flag = Annotated[Any, WithJsonSchema({"type": "boolean"})]


class Body(BaseModel):
    """Unknown fields are ignored, as they always were (except where a model says)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")


# --- accounts -----------------------------------------------------------------------------
class SignUp(Body):
    email: str = Field(min_length=1)
    password: str = Field(min_length=1)
    name: str = ""


class LogIn(Body):
    email: str = Field(min_length=1)
    password: str = Field(min_length=1)


class ChangePassword(Body):
    current_password: str = Field(alias="currentPassword", min_length=1)
    new_password: str = Field(alias="newPassword", min_length=1)


class DeleteAccount(Body):
    """The account's password: deleting the account and the whole dossier needs it."""

    password: str = Field(min_length=1)


class Invite(Body):
    email: str = Field(min_length=1)
    role: str = Field(min_length=1, description="mentor, coordinator, ...")
    scopes: list[str] | None = Field(None, description="default: the role's scopes")


class AcceptInvitation(Body):
    """Only when accepting without a session: the new account's password and name."""

    password: str | None = None
    name: str = ""


# --- evidence -----------------------------------------------------------------------------
class Note(Body):
    """A note (`kind` "note"): evidence without a file."""

    kind: Text = None
    title: Text = None
    description: Text = None
    practice_date: Text = Field(None, alias="practiceDate", description="YYYY-MM-DD")
    place: Text = None
    competences: Ids = None


class EvidenceChanges(Body):
    """The fields to change; those left out stay. Other fields are refused (422)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    title: Text = None
    description: Text = None
    practice_date: Text = Field(None, alias="practiceDate", description="YYYY-MM-DD")
    place: Text = None
    competences: Ids = None


# --- reflections and reports --------------------------------------------------------------
class NewReflection(Body):
    text: Text = None
    competences: Ids = None
    evidence: Ids = None


class NewReport(Body):
    title: Text = None
    organisation: Text = None
    period: Text = None
    summary: Text = None
    evidence: Ids = None
    reflections: Ids = None


# --- competences ----------------------------------------------------------------------------
COMPETENCE_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["name"],
    "properties": {name: {"type": "string"}
                   for name in ("name", "url", "framework", "code", "description")}}
# One competence or a framework as a list of them; the service refuses a bad item (422).
Competences = Annotated[Any, WithJsonSchema({"anyOf": [
    COMPETENCE_SCHEMA, {"type": "array", "items": COMPETENCE_SCHEMA}]})]


# --- credentials over OpenID4VCI ----------------------------------------------------------
class OfferPreview(Body):
    offer: str = Field(description="openid-credential-offer://... or https://...")


class OfferReceipt(Body):
    offer: str = Field(description="openid-credential-offer://... or https://...")
    tx_code: str | None = Field(None, alias="txCode", description="the transaction code")


# --- sharing ------------------------------------------------------------------------------
class NewShare(Body):
    credentials: Ids = None
    evidence: Ids = None
    audience: Text = None
    expires_in: Text = Field(None, alias="expiresIn", description='"7d", "12h" or "30m"')


class CvChanges(Body):
    """What is left out stays as it is."""

    enabled: Flag = None
    headline: Text = None
    about: Text = None
    credentials: Ids = None
    evidence: Ids = None
    slug: Text = None


class VpRequestIn(Body):
    request: Text = Field(None, description="the openid4vp:// request")


class VpRequestAnswer(VpRequestIn):
    credentials: Ids = Field(None, description="default: the first match per question")


class VpRequestDecline(VpRequestIn):
    reason: Text = None


# --- moving school ------------------------------------------------------------------------
class Export(Body):
    password: str | None = Field(None, description="encrypts the archive (AES-256) and "
                                 "adds the holder key")


# --- answers the routes build themselves (JSONResponse, files), for the OpenAPI document --
def json_object(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"type": "object"}}}}


def binary(description: str, *media_types: str) -> dict[str, Any]:
    return {"description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}
                        for media_type in media_types}}
