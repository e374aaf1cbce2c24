"""The size and JSON check on the issuer's request bodies (servicekit.body_limit), answered
in OAuth's error shape on the OpenID4VCI endpoints: a wallet reads `error` and
`error_description` there (RFC 6749 §5.2), whatever was wrong with the body."""

from __future__ import annotations

from starlette.types import Scope

from issuer.api.oid4vci import BODY_ERROR_CODE
from servicekit.body_limit import BodyLimitMiddleware


class IssuerBodyLimit(BodyLimitMiddleware):
    def refusal(self, scope: Scope, error: str, message: str) -> dict[str, str]:
        oauth_error = BODY_ERROR_CODE.get(scope["path"])
        if oauth_error is None:
            return super().refusal(scope, error, message)
        return {"error": oauth_error, "error_description": message}

    def refusal_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        # OAuth responses are never cached (RFC 6749 §5.1)
        return [(b"cache-control", b"no-store")] if scope["path"] in BODY_ERROR_CODE else []
