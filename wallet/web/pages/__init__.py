"""The page routers, one module per area of the dossier."""

from __future__ import annotations

from wallet.web.pages import account, archive, credentials, evidence, home, reflections, sharing

ROUTERS = [home.router, evidence.router, credentials.router, sharing.router,
           reflections.router, archive.router, account.router]
