"""Example data for the embedded default (`./scripts/run`): a school that issues, a training
institute that endorses, a framework of teacher competences and an endorsed achievement.

Idempotent: a data directory that already holds the example school is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from issuer.models import Organisation, StaffUser
from issuer.services.achievements import AchievementInput, achievement_url, create_achievement
from issuer.services.context import IssuerContext
from issuer.services.endorsements import endorse
from issuer.services.frameworks import competences_of, import_csv
from issuer.services.organisations import create_organisation, create_staff, default_profile

SCHOOL = "OBS De Linde"
INSTITUTE = "Pabo Midden"
STAFF_EMAIL = "staf@delinde.example"
STAFF_PASSWORD = "voorbeeld-wachtwoord"
PARTNER_EMAIL = "staf@pabomidden.example"
FRAMEWORK_CSV = Path(__file__).resolve().parents[1] / "examples" / "issuer" / \
    "bekwaamheidseisen-leraren.csv"


@dataclass(frozen=True)
class ExampleData:
    school_org: str
    school_did: str
    institute_did: str
    api_token: str | None  # only when just created: tokens are stored hashed
    created: bool

    def trust_registry(self) -> dict[str, Any]:
        """A verifier trust registry naming the two example organisations (as a registry
        operator such as DUO would publish for Dutch schools)."""
        return {"name": "Voorbeeldregister onderwijsinstellingen", "issuers": [
            {"id": self.school_did, "name": SCHOOL, "country": "NL",
             "sector": "primary education",
             "registryIdentifiers": [{"type": "BRIN", "value": "12AB"}]},
            {"id": self.institute_did, "name": INSTITUTE, "country": "NL",
             "sector": "teacher education"}]}


def seed_example_data(ctx: IssuerContext) -> ExampleData:
    with Session(ctx.engine, expire_on_commit=False) as session:
        existing = session.exec(select(StaffUser).where(StaffUser.email == STAFF_EMAIL)).first()
        if existing is not None:
            org = session.get(Organisation, existing.org_id)
            institute_org = session.exec(
                select(Organisation).where(Organisation.name == INSTITUTE)).first()
            assert org is not None and institute_org is not None
            return ExampleData(org.id, default_profile(session, org).did,
                               default_profile(session, institute_org).did, None, created=False)

        school = create_organisation(ctx, session, SCHOOL, did_method="web",
                                     url="https://delinde.example", email="info@delinde.example",
                                     identifiers=[{"type": "IdentifierEntry",
                                                   "identifier": "12AB",
                                                   "identifierType": "ext:BRIN"}])
        institute = create_organisation(ctx, session, INSTITUTE, did_method="web",
                                        url="https://pabomidden.example")
        school_org = session.get(Organisation, school.org_id)
        institute_org = session.get(Organisation, institute.org_id)
        assert school_org is not None and institute_org is not None
        create_staff(session, school_org, STAFF_EMAIL, STAFF_PASSWORD, "Staf De Linde")
        create_staff(session, institute_org, PARTNER_EMAIL, STAFF_PASSWORD, "Staf Pabo Midden")
        framework = import_csv(ctx, session, school_org,
                               title="Bekwaamheidseisen leraren",
                               csv_text=FRAMEWORK_CSV.read_text(encoding="utf-8"))
        session.flush()
        wanted = {"BKE-PE", "BKE-PE.1"}
        competence_ids = [c.id for c in competences_of(session, framework.id) if c.code in wanted]
        achievement = create_achievement(ctx, session, school_org, AchievementInput(
            name="Klassenmanagement in de praktijk",
            description="Leidt een groep zo dat leerlingen ongestoord en gericht leren.",
            criteria_narrative="Drie lesobservaties door een werkplekbegeleider, met een "
                               "reflectie op elk van de drie lessen.",
            achievement_type="Competency",
            competence_ids=competence_ids,
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
        session.commit()
    endorse(ctx, institute_org, target_kind="achievement",
            target_id=achievement_url(ctx.public_url, achievement.id),
            comment="Pabo Midden erkent deze badge als bewijs van klassenmanagement op "
                    "startbekwaam niveau.")
    return ExampleData(school.org_id, school.did, institute.did, school.api_token, created=True)
