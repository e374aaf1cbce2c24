"""The size limit on the verifier's request bodies (servicekit.body_limit), with the routes
that read their bodies themselves left to do so.

Every JSON route's body is limited to `settings.max_request_bytes` before the route runs.
Three routes (`BODY_LIMITS`) read and limit their own bodies, to answer in their own shape and
under their own limits: the check form (`POST /verify`, a page, files up to 10 MB), a camera
frame (`POST /scan`) and the OpenID4VP response URI (an OAuth error). Any other route takes
JSON only: a body of another type (which FastAPI would otherwise read whole, unlimited) is
refused with 415.
"""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from servicekit.api_errors import error_response
from servicekit.body_limit import OWN_LIMIT, BodyLimitMiddleware, is_small_body
from verifier.services.oid4vp import RESPONSE_PATH

BODY_LIMITS: dict[str, int | None] = {"/verify": OWN_LIMIT, "/scan": OWN_LIMIT,
                                      RESPONSE_PATH: OWN_LIMIT}


class VerifierBodyLimit(BodyLimitMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit_for(scope["path"]) is OWN_LIMIT:
            await self.app(scope, receive, send)
            return
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if not is_small_body(content_type.decode("latin-1")):
            refusal = error_response(415, "send the body as application/json")
            await refusal(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
