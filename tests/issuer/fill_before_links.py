"""Add to an issuer made by `seed-example` what the example data lacks: an OpenID4VCI offer
(its issue options), and ids in an achievement's competence list that name nothing or a
competence of another organisation.

tests/test_migrations.py runs this with the code of main before the link tables (revision
0001), so it calls only service functions whose signatures did not change and writes the
odd ids with plain SQL. Usage: python fill_before_links.py DATA_DIR DATABASE_URL; prints
the ids the test looks for as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from issuer.config import IssuerSettings
from issuer.models import Organisation
from issuer.services.context import IssuerContext
from issuer.services.oid4vci import OfferRequest, create_offer

NOWHERE = "0" * 32


def fill(ctx: IssuerContext) -> dict[str, str]:
    with Session(ctx.engine) as session:
        aligned = session.execute(text(
            "SELECT id, org_id, competence_ids_json FROM achievement "
            "WHERE competence_ids_json != '[]' ORDER BY created_at")).first()
        assert aligned is not None, "the example data aligns achievements to competences"
        achievement_id, org_id, ids = aligned
        foreign = session.execute(text(
            "SELECT competence.id FROM competence JOIN framework "
            "ON framework.id = competence.framework_id WHERE framework.org_id != :org"),
            {"org": org_id}).scalars().first()
        org = session.get(Organisation, org_id)
    assert org is not None
    offer = create_offer(ctx, org, OfferRequest(achievement_id=achievement_id,
                                                recipient_name="Daan Jansen"))
    odd = [i for i in (NOWHERE, foreign) if i]
    with Session(ctx.engine) as session:
        session.execute(text("UPDATE achievement SET competence_ids_json = :ids WHERE id = :id"),
                        {"ids": json.dumps([*odd, *json.loads(ids)]), "id": achievement_id})
        session.commit()
    return {"achievement": achievement_id, "offer": offer.offer.id, "odd": ",".join(odd)}


if __name__ == "__main__":
    context = IssuerContext.open(IssuerSettings(data_dir=Path(sys.argv[1]),
                                                database_url=sys.argv[2]))
    try:
        print(json.dumps(fill(context)))
    finally:
        context.close()
