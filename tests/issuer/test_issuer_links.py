"""An achievement's competences are links (issuer/models.py, AchievementCompetence): they
keep their order, go with the achievement, and a competence an achievement aligns to cannot
be deleted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from issuer.config import IssuerSettings
from issuer.db import session_scope
from issuer.models import Achievement, Competence, Organisation
from issuer.services.achievements import AchievementInput, alignments_for, create_achievement
from issuer.services.context import IssuerContext
from issuer.services.frameworks import competences_of, import_csv
from issuer.services.organisations import create_organisation
from servicekit.database import ChangedMeanwhile
from tests.databases import BACKENDS, fresh_database


@pytest.fixture(params=BACKENDS)
def context(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IssuerContext]:
    with fresh_database(request.param, tmp_path) as url:
        ctx = IssuerContext.open(IssuerSettings(data_dir=tmp_path / "data", database_url=url))
        try:
            yield ctx
        finally:
            ctx.close()


def test_achievement_links_keep_order_go_with_it_and_hold_their_competences(
        context: IssuerContext) -> None:
    with session_scope(context.engine) as session:
        made = create_organisation(context, session, "School")
        org = session.get(Organisation, made.org_id)
        assert org is not None
        framework = import_csv(context, session, org, title="Vakken",
                               csv_text="code,name\nA,Rekenen\nB,Taal\n")
        first, second = competences_of(session, framework.id)
        achievement = create_achievement(context, session, org, AchievementInput(
            name="Diploma", description="Geslaagd", criteria_narrative="Examen",
            competence_ids=[second.id, first.id]))
        ids = {"achievement": achievement.id, "first": first.id, "second": second.id}

    with Session(context.engine) as session:
        stored = session.get(Achievement, ids["achievement"])
        assert stored is not None
        assert stored.competence_ids == [ids["second"], ids["first"]]
        assert [a.target_name for a in alignments_for(context, session, stored)] == \
            ["Taal", "Rekenen"]

    with pytest.raises(ChangedMeanwhile) as refused, session_scope(context.engine) as session:
        session.delete(session.get(Competence, ids["first"]))  # RESTRICT: it is aligned to
    assert isinstance(refused.value.__cause__, IntegrityError)  # the database's own refusal

    with session_scope(context.engine) as session:
        session.delete(session.get(Achievement, ids["achievement"]))
    with Session(context.engine) as session:
        assert session.execute(text("SELECT COUNT(*) FROM achievementcompetence")
                               ).scalar_one() == 0
        assert session.get(Competence, ids["first"]) is not None
    with session_scope(context.engine) as session:  # now nothing aligns to it
        session.delete(session.get(Competence, ids["first"]))
