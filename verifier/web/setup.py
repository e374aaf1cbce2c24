"""`install_web(app, ctx)`: the employer pages, their static files and their headers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from verifier.services.context import VerifierContext
from verifier.web.pages import ROUTERS
from verifier.web.render import STATIC_DIR, STATIC_PATH, page_headers, render


def install_web(app: FastAPI, ctx: VerifierContext) -> None:
    app.state.verifier_page_headers = page_headers(ctx.settings.fetch_policy)
    app.state.not_found_page = lambda request: render(request, "not_found.html", status=404,
                                                      here="/")
    app.mount(STATIC_PATH,
              StaticFiles(directory=STATIC_DIR, packages=[("servicekit", "web_static")]),
              name="verifier-static")
    for router in ROUTERS:
        app.include_router(router)
