"""The staff API's answer to a body that does not fit its model: 422, as it always was.

The rest of the service answers such a body with 400 (servicekit.api_errors); the staff API
under /api has answered 422 for unknown or wrongly typed members since its first version, and
clients rely on that. Errors in the path or query stay 400."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from servicekit.errors import Refused


class RefusedBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                problems = [problem for problem in error.errors()
                            if tuple(problem.get("loc", ()))[:1] == ("body",)
                            and problem.get("type") != "json_invalid"]
                if len(problems) != len(error.errors()):
                    raise  # unreadable JSON, or a wrong path or query: 400
                raise Refused("malformed request: " + "; ".join(
                    f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
                    for problem in problems[:5])) from None

        return route
