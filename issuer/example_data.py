"""Example data for the embedded default (`./scripts/run`):

- the school "OBS De Linde" with the framework "Bekwaamheidseisen leraren" and the badge
  "Klassenmanagement in de praktijk", aligned to two of its competences;
- the training institute "Pabo Midden", which endorses that badge;
- the vso school "VSO De Brug" with an internship competence profile: the learning line
  "Leerlijn stage" (work attitude, social and vocational skills, each in levels), and a badge
  for its first level.

Idempotent, organisation by organisation: one that is already there is left as it is, so a
data directory made by an older version gains what is new and keeps what it had.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from issuer.models import Framework, Organisation, StaffUser
from issuer.services.achievements import AchievementInput, achievement_url, create_achievement
from issuer.services.context import IssuerContext, stored
from issuer.services.endorsements import endorse
from issuer.services.frameworks import competence_url, competences_of, import_csv
from issuer.services.organisations import create_organisation, create_staff, default_profile

SCHOOL = "OBS De Linde"
INSTITUTE = "Pabo Midden"
VSO_SCHOOL = "VSO De Brug"
STAFF_EMAIL = "staf@delinde.example"
STAFF_PASSWORD = "voorbeeld-wachtwoord"
PARTNER_EMAIL = "staf@pabomidden.example"
VSO_STAFF_EMAIL = "staf@debrug.example"
TEACHER_FRAMEWORK = "Bekwaamheidseisen leraren"
LEARNING_LINE = "Leerlijn stage"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "issuer"
TEACHER_FRAMEWORK_CSV = EXAMPLES / "bekwaamheidseisen-leraren.csv"
LEARNING_LINE_CSV = EXAMPLES / "leerlijn-stage-vso.csv"


@dataclass(frozen=True)
class SeededOrganisation:
    name: str
    org_id: str
    did: str
    staff_email: str
    api_token: str | None  # only when just created: tokens are stored hashed


@dataclass(frozen=True)
class ExampleData:
    school: SeededOrganisation
    institute: SeededOrganisation
    vso_school: SeededOrganisation
    # Per framework title, its competences as a wallet imports them (name, url, code, ...).
    frameworks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def created(self) -> bool:
        return self.school.api_token is not None

    def organisations(self) -> list[SeededOrganisation]:
        return [self.school, self.institute, self.vso_school]

    def trust_registry(self) -> dict[str, Any]:
        """A verifier trust registry naming the example organisations (as a registry
        operator such as DUO would publish for Dutch schools)."""
        return {"name": "Voorbeeldregister onderwijsinstellingen", "issuers": [
            {"id": self.school.did, "name": SCHOOL, "country": "NL",
             "sector": "primary education",
             "registryIdentifiers": [{"type": "BRIN", "value": "12AB"}]},
            {"id": self.institute.did, "name": INSTITUTE, "country": "NL",
             "sector": "teacher education"},
            {"id": self.vso_school.did, "name": VSO_SCHOOL, "country": "NL",
             "sector": "special secondary education",
             "registryIdentifiers": [{"type": "BRIN", "value": "34CD"}]}]}


def seed_example_data(ctx: IssuerContext) -> ExampleData:
    with Session(ctx.engine, expire_on_commit=False) as session:
        school, made_school = _organisation(
            ctx, session, SCHOOL, STAFF_EMAIL, "Staf De Linde", url="https://delinde.example",
            email="info@delinde.example", brin="12AB")
        institute, _ = _organisation(ctx, session, INSTITUTE, PARTNER_EMAIL,
                                     "Staf Pabo Midden", url="https://pabomidden.example")
        vso, made_vso = _organisation(ctx, session, VSO_SCHOOL, VSO_STAFF_EMAIL,
                                      "Stagecoördinator De Brug", url="https://debrug.example",
                                      email="stage@debrug.example", brin="34CD")
        badge_url = None
        if made_school:
            badge_url = _teacher_badge(ctx, session, _org(session, school.org_id))
        if made_vso:
            _internship_badge(ctx, session, _org(session, vso.org_id))
        session.commit()
        frameworks = {TEACHER_FRAMEWORK: _framework_items(ctx, session, school.org_id,
                                                          TEACHER_FRAMEWORK),
                      LEARNING_LINE: _framework_items(ctx, session, vso.org_id, LEARNING_LINE)}
        institute_org = _org(session, institute.org_id)
    if badge_url is not None:  # endorse signs in a session of its own
        endorse(ctx, institute_org, target_kind="achievement", target_id=badge_url,
                comment="Pabo Midden erkent deze badge als bewijs van klassenmanagement op "
                        "startbekwaam niveau.")
    return ExampleData(school, institute, vso, frameworks)


def _org(session: Session, org_id: str) -> Organisation:
    return stored(session.get(Organisation, org_id), f"organisation {org_id}")


def _organisation(ctx: IssuerContext, session: Session, name: str, staff_email: str,
                  staff_name: str, *, url: str, email: str | None = None,
                  brin: str | None = None) -> tuple[SeededOrganisation, bool]:
    """The organisation whose staff account is `staff_email`, made when missing."""
    staff = session.exec(select(StaffUser).where(StaffUser.email == staff_email)).first()
    if staff is not None:
        org = _org(session, staff.org_id)
        return SeededOrganisation(name, org.id, default_profile(session, org).did, staff_email,
                                  None), False
    identifiers = [{"type": "IdentifierEntry", "identifier": brin,
                    "identifierType": "ext:BRIN"}] if brin else None
    made = create_organisation(ctx, session, name, did_method="web", url=url, email=email,
                               identifiers=identifiers)
    create_staff(session, _org(session, made.org_id), staff_email, STAFF_PASSWORD, staff_name)
    return SeededOrganisation(name, made.org_id, made.did, staff_email, made.api_token), True


def _teacher_badge(ctx: IssuerContext, session: Session, school: Organisation) -> str:
    framework = import_csv(ctx, session, school, title=TEACHER_FRAMEWORK,
                           csv_text=TEACHER_FRAMEWORK_CSV.read_text(encoding="utf-8"))
    session.flush()
    wanted = {"BKE-PE", "BKE-PE.1"}
    achievement = create_achievement(ctx, session, school, AchievementInput(
        name="Klassenmanagement in de praktijk",
        description="Leidt een groep zo dat leerlingen ongestoord en gericht leren.",
        criteria_narrative="Drie lesobservaties door een werkplekbegeleider, met een "
                           "reflectie op elk van de drie lessen.",
        achievement_type="Competency",
        competence_ids=[c.id for c in competences_of(session, framework.id) if c.code in wanted],
        result_descriptions=[{
            "id": "urn:uuid:7a1de0b4-7f4e-4c4e-9a3c-2d1c6a1b2c01",
            "type": ["ResultDescription"], "name": "Beheersingsniveau",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {"id": "urn:uuid:7a1de0b4-7f4e-4c4e-9a3c-2d1c6a1b2c02",
                 "type": ["RubricCriterionLevel"], "name": "Startbekwaam"},
                {"id": "urn:uuid:7a1de0b4-7f4e-4c4e-9a3c-2d1c6a1b2c03",
                 "type": ["RubricCriterionLevel"], "name": "Basisbekwaam"}]}],
    ))
    session.flush()
    return achievement_url(ctx.public_url, achievement.id)


def _internship_badge(ctx: IssuerContext, session: Session, vso: Organisation) -> None:
    """The learning line, and a badge for its first level of work attitude."""
    framework = import_csv(ctx, session, vso, title=LEARNING_LINE,
                           csv_text=LEARNING_LINE_CSV.read_text(encoding="utf-8"))
    session.flush()
    wanted = {"LLS-WH.1", "LLS-SV.1", "LLS-VV.1"}
    create_achievement(ctx, session, vso, AchievementInput(
        name="Stage niveau 1",
        description="Komt afspraken na, maakt contact en werkt veilig op de stageplek.",
        criteria_narrative="Beoordeeld door de werkbegeleider en de stagecoördinator aan het "
                           "eind van de eerste stageperiode, met bewijs uit de praktijk.",
        achievement_type="Fieldwork",
        competence_ids=[c.id for c in competences_of(session, framework.id) if c.code in wanted],
    ))


def _framework_items(ctx: IssuerContext, session: Session, org_id: str,
                     title: str) -> list[dict[str, Any]]:
    framework = session.exec(select(Framework).where(Framework.org_id == org_id,
                                                     Framework.title == title)).first()
    if framework is None:
        return []
    return [{"name": c.name, "code": c.code, "framework": title, "description": c.description,
             "url": c.uri or competence_url(ctx.public_url, framework.id, c.id)}
            for c in competences_of(session, framework.id)]
