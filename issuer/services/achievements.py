"""Achievement definitions (badge classes): stored, published, and turned into OB 3.0 JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from issuer.models import Achievement, Competence, Framework, IssuerProfile, Organisation
from issuer.services.context import IssuerContext, stored
from issuer.services.organisations import endorsements_of, profile_json, profile_of
from servicekit.errors import NotFound, Refused
from standards.ob3 import Alignment, Criteria, build_achievement

ACHIEVEMENT_TYPES = (
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
    "AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
    "CertificateOfCompletion", "Certification", "CommunityService", "Competency", "Course",
    "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
    "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
    "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate",
    "MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
)


@dataclass
class AchievementInput:
    name: str
    description: str
    criteria_narrative: str
    criteria_url: str | None = None
    image_url: str | None = None
    achievement_type: str | None = None
    result_descriptions: list[dict[str, Any]] = field(default_factory=list)
    competence_ids: list[str] = field(default_factory=list)
    valid_days: int | None = None
    profile_id: str | None = None


def achievement_url(public_url: str, achievement_id: str) -> str:
    return f"{public_url}/achievements/{achievement_id}"


def create_achievement(ctx: IssuerContext, session: Session, org: Organisation,
                       data: AchievementInput) -> Achievement:
    if not data.name.strip() or not data.description.strip():
        raise Refused("an achievement needs a name and a description")
    if not data.criteria_narrative.strip() and not data.criteria_url:
        raise Refused("an achievement needs criteria (a narrative or a URL)")
    if data.achievement_type and data.achievement_type not in ACHIEVEMENT_TYPES and not (
        data.achievement_type.startswith("ext:")
    ):
        raise Refused(f"unknown achievementType {data.achievement_type!r}; use one of OB "
                      "3.0's types or an 'ext:' extension")
    if data.valid_days is not None and data.valid_days <= 0:
        raise Refused("validity period must be a positive number of days")
    profile = profile_of(session, org, data.profile_id)
    for competence_id in data.competence_ids:
        _competence_of(session, org, competence_id)
    achievement = Achievement(
        org_id=org.id, profile_id=profile.id, name=data.name.strip(),
        description=data.description.strip(), criteria_narrative=data.criteria_narrative.strip(),
        criteria_url=data.criteria_url or None, image_url=data.image_url or None,
        achievement_type=data.achievement_type or None,
        result_descriptions=data.result_descriptions, valid_days=data.valid_days,
    )
    achievement.competence_ids = data.competence_ids
    session.add(achievement)
    session.flush()
    # Build once now so a definition that cannot make a schema-valid credential is refused
    # here, with the reason, rather than at the first issue.
    try:
        achievement_json(ctx, session, achievement, with_endorsements=False)
    except ValueError as error:
        raise Refused(f"achievement refused: {error}") from None
    return achievement


def get_achievement(session: Session, org: Organisation, achievement_id: str) -> Achievement:
    achievement = session.get(Achievement, achievement_id)
    if achievement is None or achievement.org_id != org.id:
        raise NotFound(f"no achievement {achievement_id} in this organisation")
    return achievement


def achievement_name(session: Session, achievement_id: str) -> str:
    """The name of an achievement ("" when it is gone)."""
    achievement = session.get(Achievement, achievement_id)
    return achievement.name if achievement else ""


def list_achievements(session: Session, org: Organisation) -> list[Achievement]:
    return list(session.exec(
        select(Achievement).where(Achievement.org_id == org.id, Achievement.archived == False)  # noqa: E712
        .order_by(Achievement.created_at)  # type: ignore[arg-type]
    ))


def _competence_of(session: Session, org: Organisation, competence_id: str) -> Competence:
    competence = session.get(Competence, competence_id)
    framework = session.get(Framework, competence.framework_id) if competence else None
    if competence is None or framework is None or framework.org_id != org.id:
        raise NotFound(f"no competence {competence_id} in this organisation's frameworks")
    return competence


def alignments_for(ctx: IssuerContext, session: Session,
                   achievement: Achievement) -> list[Alignment]:
    alignments = []
    for competence_id in achievement.competence_ids:
        competence = session.get(Competence, competence_id)
        if competence is None:
            continue
        framework = stored(session.get(Framework, competence.framework_id),
                           f"framework {competence.framework_id}")
        alignments.append(Alignment(
            target_name=competence.name,
            target_url=competence.uri
            or f"{ctx.public_url}/frameworks/{framework.id}/competences/{competence.id}",
            target_code=competence.code,
            target_framework=framework.title,
            target_type="CFItem" if framework.source == "case" else "ceasn:Competency",
            target_description=competence.description,
        ))
    return alignments


def achievement_json(ctx: IssuerContext, session: Session, achievement: Achievement, *,
                     with_endorsements: bool = True) -> dict[str, Any]:
    """The OB 3.0 Achievement, with the endorsements it has received so far embedded."""
    profile = stored(session.get(IssuerProfile, achievement.profile_id),
                     f"issuer profile {achievement.profile_id}")
    achievement_id = achievement_url(ctx.public_url, achievement.id)
    return build_achievement(
        id=achievement_id,
        name=achievement.name,
        description=achievement.description,
        criteria=Criteria(id=achievement.criteria_url,
                          narrative=achievement.criteria_narrative or None),
        achievement_type=achievement.achievement_type,
        image={"id": achievement.image_url, "type": "Image"} if achievement.image_url else None,
        alignments=alignments_for(ctx, session, achievement),
        result_descriptions=achievement.result_descriptions,
        creator=profile_json(session, profile, with_endorsements=False),
        endorsements=endorsements_of(session, achievement_id) if with_endorsements else (),
    )
