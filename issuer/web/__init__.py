"""The issuer's staff web pages: server-rendered (Jinja2), Dutch by default, English on request.

`issuer.web.setup.install_web(app, ctx)` adds the session middleware, the static files and
the page routers to the issuer's FastAPI application.
"""
