"""Domain errors: what a service says when it will not do what it was asked.

Services raise these and know nothing of HTTP; each role's API layer maps them onto status
codes with `servicekit.api_errors` (and its pages onto a page that explains). A role may
subclass one to name its own refusal (`CredentialRefused(Refused)`), never to carry a status.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every domain error; the message is for the person or client that asked."""


class Invalid(ServiceError):
    """The request itself is malformed: a missing or wrongly typed field, a bad parameter."""


class Refused(ServiceError):
    """The request is well-formed but cannot be accepted; the message says why."""


class NotFound(ServiceError):
    """No such thing, or not one the caller may know of (its existence is not revealed)."""


class Unauthorized(ServiceError):
    """The caller is not (or no longer) authenticated."""


class Forbidden(ServiceError):
    """The caller is known but may not do this."""


class Conflict(ServiceError):
    """The thing exists already, or is in a state that does not allow this."""


class Gone(ServiceError):
    """It existed, but has expired, been used up or withdrawn."""


class TooLarge(ServiceError):
    """The input is larger than this service accepts."""


class UnsupportedType(ServiceError):
    """The input is of a type this service does not accept (a file, a media type)."""


class TooManyAttempts(ServiceError):
    """Too many tries in a short time; try again later."""


class UpstreamFailed(ServiceError):
    """Another service this one had to ask (an issuer, a verifier) could not be reached, or
    answered something unusable."""


class Inconsistent(ServiceError):
    """The service's own data contradicts itself (a bug or a damaged database), not the
    caller's fault."""
