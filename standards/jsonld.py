"""JSON-LD processing for signing and verifying: expansion, RDF conversion, canonicalisation.

Built on pyld (pinned), with two things pyld lacks:

* Speed. pyld re-processes every type-scoped context at every typed node (a fresh clone of
  the active context gets a fresh cache id) and JCS-canonicalises embedded contexts to look
  them up. Our contexts are a fixed, parsed-once bundle, so processed active contexts are
  memoised per (active context, local context) for each loader. That makes expansion of an
  OB 3.0 credential about six times faster without changing its result (the W3C and OB 3.0
  vectors reproduce byte for byte).
* Safety. A term or type no context defines, or a relative IRI where an IRI is needed, makes
  the signed RDF differ from what a person reads. Such documents are refused with a message
  naming the term, both when signing and when verifying (like jsonld.js "safe mode").
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

from cachetools import LRUCache
from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

from standards import rdfc, work_budget
from standards.content_cache import ContentCache
from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.errors import (
    DocumentLoaderError,
    DocumentTooLargeError,
    NotUnicodeTextError,
    StandardsError,
    UnsafeDocumentError,
)
from standards.json_text import LONE_SURROGATE, has_lone_surrogate
from standards.node_map import node_map_of
from standards.shape_templates import ShapeTemplates

# VC 2.0's context maps undefined terms here through @vocab; we treat them as undefined.
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"

MAX_DEPTH = 64
MAX_NODES = 200_000

Dataset = dict[str, list[dict[str, Any]]]


def check_document_limits(document: Any, max_depth: int = MAX_DEPTH,
                          max_nodes: int = MAX_NODES) -> int:
    """Refuse documents nested deeper than `max_depth` or with more than `max_nodes` values,
    and strings that are not Unicode text (NotUnicodeTextError); the number of values.

    Iterative, so hostile nesting cannot exhaust the interpreter stack.
    """
    stack: list[tuple[Any, int]] = [(document, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise DocumentTooLargeError(f"document has more than {max_nodes} values")
        if depth > max_depth:
            raise DocumentTooLargeError(f"document is nested deeper than {max_depth} levels")
        if type(value) is str:
            if has_lone_surrogate(value):
                raise NotUnicodeTextError(LONE_SURROGATE)
        elif isinstance(value, dict):
            if any(type(key) is str and has_lone_surrogate(key) for key in value):
                raise NotUnicodeTextError(LONE_SURROGATE)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return seen


class _BundleContextResolver(ContextResolver):  # type: ignore[misc]  # pyld has no types
    """pyld's resolver, but embedded (scoped) contexts are looked up by object identity.

    pyld keys them by their JCS serialisation, recomputed on every use. The scoped contexts
    inside processed bundle contexts are the same objects every time, so identity (checked
    against a held reference, so an id is never confused with a reused one) is a correct and
    cheap key. The caches are bounded: documents with ever new inline contexts only churn them.
    """

    def __init__(self, loader: DocumentLoader) -> None:
        super().__init__(LRUCache(maxsize=256), loader)
        # pyld's per-operation cache lives as long as this resolver does: bound it.
        self.per_op_cache: LRUCache[str, Any] = LRUCache(maxsize=1024)
        self._by_identity: LRUCache[int, tuple[Any, Any]] = LRUCache(maxsize=1024)

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if isinstance(context, dict) and "@context" not in context:
            hit = self._by_identity.get(id(context))
            if hit is not None and hit[0] is context:
                return [hit[1]]
            resolved = super().resolve(active_ctx, context, base, cycles)
            self._by_identity[id(context)] = (context, resolved[0])
            return resolved
        return super().resolve(active_ctx, context, base, cycles)


class _Processor(pyld_jsonld.JsonLdProcessor):  # type: ignore[misc]  # pyld has no types
    """A pyld processor whose context processing is memoised in its engine, and which merges
    `@import`s itself (`_imports_merged`)."""

    def __init__(self, engine: JsonLdEngine, on_dropped: Callable[[str | None], Any]) -> None:
        super().__init__(on_property_dropped=on_dropped)
        self._engine = engine

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: Any,
                         override_protected: bool = False, propagate: bool = True,
                         validate_scoped: bool = True, cycles: Any = None) -> Any:
        uid = active_ctx.get("_uuid")
        key = None if uid is None else (
            uid, _context_key(local_ctx), override_protected, propagate, validate_scoped)
        memo = self._engine._processed
        if key is not None:
            with self._engine._lock:
                hit = memo.get(key)
            # A hit is always right: URL keys are values, and object keys are ids of objects
            # the memo still holds (so no other object can have taken that id).
            if hit is not None:
                return hit[1]
        merged = _imports_merged(local_ctx, lambda url: _imported_context(active_ctx, url,
                                                                          options))
        result = super()._process_context(active_ctx, merged, options, override_protected,
                                          propagate, validate_scoped, cycles)
        # Only a completed processing gets here (a failure raises): the memo never holds a
        # partial result.
        if key is None:
            return result
        if "_uuid" not in result:  # a clone of the active context (an empty local context)
            result = pyld_jsonld.freeze({**result, "_uuid": str(uuid.uuid4())})
        with self._engine._lock:
            memo[key] = (local_ctx, result)
        return result


def _imports_merged(local_ctx: Any, imported: Callable[[Any], Mapping[str, Any]]) -> Any:
    """`local_ctx` with each context object's `@import` merged in as new objects (JSON-LD 1.1
    context processing, step 5.6: the imported context, then the object's own entries).

    pyld merges into the imported context itself, which here is the bundled context the
    whole process shares (`standards.document_loader`), and caches the merged local context
    as the imported context's processed form: one document with `{"@import": ...}` changed
    every later expansion in the process, or made it fail (KeyError 'mappings'). So pyld
    never sees an `@import`: every object it would process as a context is merged here,
    unwrapped exactly as pyld does (`ContextResolver.resolve` unwraps `local_ctx`, the loop
    of `_process_context` each element of it)."""
    if pyld_jsonld._is_object(local_ctx) and "@context" in local_ctx:
        contexts = _elements_merged(local_ctx["@context"], imported)
        if contexts is local_ctx["@context"]:
            return local_ctx
        return {**local_ctx, "@context": contexts}
    return _elements_merged(local_ctx, imported)


def _elements_merged(contexts: Any, imported: Callable[[Any], Mapping[str, Any]]) -> Any:
    items = contexts if isinstance(contexts, list) else [contexts]
    merged = [_element_merged(item, imported) for item in items]
    if all(new is old for new, old in zip(merged, items, strict=True)):
        return contexts
    return merged if isinstance(contexts, list) else merged[0]


def _element_merged(item: Any, imported: Callable[[Any], Mapping[str, Any]]) -> Any:
    if not pyld_jsonld._is_object(item):
        return item
    if "@context" not in item:
        return _import_merged(item, imported)
    inner = item["@context"]  # pyld processes what an element wraps, and nothing beside it
    if not pyld_jsonld._is_object(inner):
        return item
    merged = _import_merged(inner, imported)
    return item if merged is inner else {**item, "@context": merged}


def _import_merged(context: Any, imported: Callable[[Any], Mapping[str, Any]]) -> Any:
    if "@import" not in context:
        return context
    return {**imported(context["@import"]),
            **{key: value for key, value in context.items() if key != "@import"}}


def _imported_context(active_ctx: Any, value: Any, options: Any) -> Mapping[str, Any]:
    """The context an `@import` names (shared: never mutate it), with pyld's refusals."""
    if not isinstance(value, str):
        raise pyld_jsonld.JsonLdError("Invalid JSON-LD syntax; @import must be a string",
                                      "jsonld.SyntaxError", {"context": value},
                                      code="invalid @import value")
    resolved = options["contextResolver"].resolve(active_ctx, value, options.get("base", ""))
    if len(resolved) != 1 or not pyld_jsonld._is_object(resolved[0].document):
        raise pyld_jsonld.JsonLdError(
            "Invalid JSON-LD syntax; @import must reference a single context.",
            "jsonld.SyntaxError", {"context": value}, code="invalid remote context")
    context: Mapping[str, Any] = resolved[0].document
    if "@import" in context:
        raise pyld_jsonld.JsonLdError(
            "Invalid JSON-LD syntax; @import must not include @import entry",
            "jsonld.SyntaxError", {"context": value}, code="invalid context entry")
    return context


def _context_key(local_ctx: Any) -> Any:
    """URL lists by value; context objects by identity (the memo holds a reference to them)."""
    if isinstance(local_ctx, str):
        return local_ctx
    if isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
        return tuple(local_ctx)
    return ("object", id(local_ctx))


class JsonLdEngine:
    """Expansion, RDF conversion and canonicalisation with one document loader."""

    def __init__(self, loader: DocumentLoader, *, shape_templates: bool = True) -> None:
        self.loader = loader
        # Off: every dataset through pyld (differential tests, measuring against).
        self.shape_templates: ShapeTemplates | None = (
            ShapeTemplates(self, loader.load, (ISSUER_DEPENDENT,)) if shape_templates else None)
        self._resolver = _BundleContextResolver(loader)
        self._processed: LRUCache[Any, Any] = LRUCache(maxsize=4096)
        self._lock = threading.Lock()
        self._canonical: ContentCache[str] = ContentCache(maxsize=2048)

    def _options(self) -> dict[str, Any]:
        return {
            "documentLoader": self.loader,
            "contextResolver": self._resolver,
            "base": None,  # relative IRIs must stay relative so they are caught, not resolved
            "processingMode": "json-ld-1.1",
        }

    def expand(self, document: dict[str, Any], *, safe: bool = True) -> list[Any]:
        """Expanded form of `document`; with `safe`, refuse undefined terms and relative IRIs."""
        expanded, unsafe = self._expanded(document, check=safe)
        if unsafe is not None:
            raise unsafe
        return expanded

    def _expanded(self, document: dict[str, Any], *, check: bool
                  ) -> tuple[list[Any], UnsafeDocumentError | None]:
        """Expanded form of `document` and, with `check`, why safe mode refuses it."""
        values = check_document_limits(document)
        work_budget.charge(values * work_budget.EXPANDED_VALUE,
                           f"expanding JSON-LD of {values:,} values")
        dropped: list[str | None] = []
        processor = _Processor(self, dropped.append)
        with _pyld_errors_explained():
            expanded: list[Any] = processor.expand(document, self._options())
        if not check:
            return expanded, None
        if dropped:
            names = ", ".join(sorted({repr(d) if d else "(a term mapped to null)"
                                      for d in dropped}))
            return expanded, UnsafeDocumentError(
                f"undefined term(s) not in any context: {names}")
        try:
            check_expanded_safe(expanded)
        except UnsafeDocumentError as exc:
            return expanded, exc
        return expanded, None

    def to_dataset(self, document: dict[str, Any], *, safe: bool = True) -> Dataset:
        """The RDF dataset of `document` (pyld's dataset form): in safe mode from a shape
        template when one accepts the document (`standards.shape_templates`; the same
        dataset, the same work charged), else through pyld."""
        if not safe or self.shape_templates is None:
            return self.pyld_dataset(document, safe=safe)
        return self.shape_templates.dataset_of(document, self.pyld_dataset,
                                               check_document_limits)

    def pyld_dataset(self, document: dict[str, Any], *, safe: bool = True) -> Dataset:
        """The RDF dataset of `document` through pyld (the reference the templates follow)."""
        return self._rdf(self.expand(document, safe=safe))[0]

    def probe_dataset(self, document: Any) -> tuple[Dataset, int, str | None]:
        """For compiling shape templates: pyld's dataset of `document` even when safe mode
        refuses it, the number of blank nodes its node map labelled, and why safe mode
        refuses it (None: it does not)."""
        expanded, unsafe = self._expanded(document, check=True)
        dataset, labels = self._rdf(expanded)
        return dataset, labels, None if unsafe is None else str(unsafe)

    def _rdf(self, expanded: list[Any]) -> tuple[Dataset, int]:
        """The dataset of expanded JSON-LD and how many blank-node labels the node map took
        (toRDF labels list nodes after those)."""
        processor = _Processor(self, lambda _: None)
        issuer = IdentifierIssuer("_:b")
        # pyld's to_rdf after its expansion step (we expand ourselves to check safety first),
        # with a node map that is linear in the document (standards.node_map).
        options = {**self._options(), "produceGeneralizedRdf": False, "rdfDirection": None}
        dataset: Dataset = {}
        with _pyld_errors_explained():
            node_map = node_map_of(expanded, issuer)
            labels: int = issuer.counter
            for graph_name, graph in sorted(node_map.items()):
                if graph_name == "@default" or pyld_jsonld._is_absolute_iri(graph_name):
                    dataset[graph_name] = processor._graph_to_rdf(graph, issuer, options)
        quads = sum(len(triples) for triples in dataset.values())
        work_budget.charge(quads * work_budget.RDF_QUAD, f"making {quads:,} RDF quads")
        return dataset, labels

    def canonicalize(self, document: dict[str, Any], *, safe: bool = True,
                     hash_algorithm: str = "sha256") -> str:
        """RDFC-1.0 canonical N-Quads of `document` (memoised by content). `hash_algorithm` is
        RDFC-1.0's own (blank node labels): sha384 for ecdsa-rdfc-2019 with P-384 keys."""
        return self._canonical.get_or_compute(
            (safe, hash_algorithm), document,
            lambda: rdfc.canonicalize_dataset(self.to_dataset(document, safe=safe),
                                              hash_algorithm=hash_algorithm))


def check_expanded_safe(expanded: Any) -> None:
    """Refuse relative IRIs and terms that fell through to VC 2.0's issuer-dependent @vocab."""
    stack = [expanded]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
            continue
        if not isinstance(value, dict):
            continue
        for key, item in value.items():
            if key.startswith(ISSUER_DEPENDENT):
                raise UnsafeDocumentError(
                    f"undefined term {key[len(ISSUER_DEPENDENT):]!r}: no context defines it"
                )
            if key == "@id":
                _check_iri(item, "id")
            elif key == "@type" and "@value" not in value:
                for type_iri in item if isinstance(item, list) else [item]:
                    _check_iri(type_iri, "type")
            elif key == "@type":
                _check_iri(item, "datatype")
            elif key == "@value":
                continue
            else:
                stack.append(item)


def _check_iri(value: Any, what: str) -> None:
    if not isinstance(value, str):
        return
    if value.startswith(ISSUER_DEPENDENT):
        raise UnsafeDocumentError(
            f"undefined {what} {value[len(ISSUER_DEPENDENT):]!r}: no context defines it"
        )
    if value.startswith("_:") or value.startswith("@"):
        return
    if not pyld_jsonld._is_absolute_iri(value):
        raise UnsafeDocumentError(
            f"relative IRI {value!r} used as {what}: every {what} must be an absolute IRI "
            "or a term a context defines"
        )


@contextmanager
def _pyld_errors_explained() -> Iterator[None]:
    """Whatever pyld raises becomes our error: a JsonLdError explained, a loader error as it
    is, and anything else (pyld fails with KeyError, TypeError, ValueError ... on some
    invalid documents, e.g. ``"@vocab": null`` in an embedded context) as invalid JSON-LD
    naming what pyld tripped over."""
    try:
        yield
    except pyld_jsonld.JsonLdError as exc:
        raise _explain(exc) from exc
    except (StandardsError, work_budget.WorkBudgetExceeded):
        raise
    except RecursionError as exc:
        raise DocumentTooLargeError("the JSON-LD is nested too deeply to process") from exc
    except Exception as exc:  # any failure inside pyld is the document's
        raise UnsafeDocumentError(
            f"invalid JSON-LD: it cannot be processed ({type(exc).__name__}: {exc})") from exc


def _explain(exc: pyld_jsonld.JsonLdError) -> Exception:
    """Turn pyld's nested errors into one clear error of ours."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DocumentLoaderError):
            return DocumentLoaderError(str(cause))
        if isinstance(cause, pyld_jsonld.JsonLdError) and cause.details:
            loader_cause = cause.details.get("cause") if isinstance(cause.details, dict) else None
            if isinstance(loader_cause, DocumentLoaderError):
                return DocumentLoaderError(str(loader_cause))
        cause = cause.__cause__ or cause.__context__
    return UnsafeDocumentError(f"invalid JSON-LD: {_pyld_message(exc)}")


def _pyld_message(exc: pyld_jsonld.JsonLdError) -> str:
    parts = []
    cause: BaseException | None = exc
    while isinstance(cause, pyld_jsonld.JsonLdError):
        parts.append(str(getattr(cause, "message", "") or cause).split("\n")[0])
        cause = cause.__cause__ or cause.__context__
    return "; ".join(p for p in parts if p) or str(exc)


def engine_for(loader: DocumentLoader = DEFAULT_LOADER) -> JsonLdEngine:
    """One engine (and its caches) per loader: caches must never mix loaders. (`@cache` on
    this function would key `engine_for()` and `engine_for(DEFAULT_LOADER)` apart: two
    engines for one loader.)"""
    return _engine_of(loader)


@cache
def _engine_of(loader: DocumentLoader) -> JsonLdEngine:
    return JsonLdEngine(loader)


def drop_engines() -> None:
    """Forget every engine and its caches (benchmarks start cold with it)."""
    _engine_of.cache_clear()
