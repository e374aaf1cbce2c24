"""Exception types of the standards core. Each message is meant for people: it names the thing."""


class StandardsError(Exception):
    """Base class for every error raised by the standards core."""


class DocumentLoaderError(StandardsError):
    """A JSON-LD context or document was asked for that the loader may not serve."""


class UnsafeDocumentError(StandardsError):
    """A JSON-LD document uses terms, types or IRIs that no context defines."""


class NotUnicodeTextError(UnsafeDocumentError):
    """A string holds a lone surrogate (an unpaired \\uD800-\\uDFFF escape): not Unicode
    text, so it cannot be written as UTF-8, canonicalised, hashed or stored."""


class DocumentTooLargeError(StandardsError):
    """A document exceeds the size or nesting limits."""


class CanonicalizationError(StandardsError):
    """RDF canonicalisation failed or exceeded its work limit."""


class InvalidKeyError(StandardsError):
    """A key is malformed, of an unsupported type, or does not match."""


class DidResolutionError(StandardsError):
    """A DID or verification method could not be resolved."""


class FetchError(StandardsError):
    """A network fetch was refused by policy or failed."""


class ProofError(StandardsError):
    """A proof could not be created or does not verify."""


class SchemaValidationError(StandardsError):
    """A credential does not conform to its JSON Schema."""
