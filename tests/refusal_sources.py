"""The refusal messages a role's code raises, as catalogue msgids: `raise NotFound(f"no evidence
{evidence_id[:40]!r} in this dossier")` gives "no evidence {evidence_id} in this dossier".

A refusal is what a domain error says to whoever asked. Not refusals: Python's own exceptions
(`raise RuntimeError(...)`, `raise AssertionError(...)`), which are bugs, never an answer; and a
code or key an error carries before its message (`OAuthError("invalid_grant", "the
pre-authorized code has expired")`, `UnusableInput("empty", ...)`, `FormProblem("form.bad_date")`),
which the API or a page's own catalogue words; the message after such a code is the refusal.
A function that words an error for its callers to raise (`def too_large(...) -> TooLarge:
return TooLarge(f"...")`) counts as raising it."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from pathlib import Path

PYTHON_ERRORS = frozenset(name for name, value in vars(builtins).items()
                          if isinstance(value, type) and issubclass(value, BaseException))
# A code or message key: one lower-case word, or dotted words ("invalid_grant", "form.bad_date").
CODE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")


def placeholder_name(expression: ast.expr) -> str:
    """A name for what an f-string fills in: the last name in the expression."""
    if isinstance(expression, ast.Name):
        return expression.id
    if isinstance(expression, ast.Attribute):
        return expression.attr
    if isinstance(expression, ast.Subscript):
        return placeholder_name(expression.value)
    if isinstance(expression, ast.Call):
        return placeholder_name(expression.args[0] if expression.args else expression.func)
    return "value"


def msgid_of(message: ast.expr) -> str | None:
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        return message.value.replace("{", "{{").replace("}", "}}")
    if not isinstance(message, ast.JoinedStr):
        return None
    parts, names = [], set()
    for part in message.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value).replace("{", "{{").replace("}", "}}"))
        elif isinstance(part, ast.FormattedValue):
            name, number = placeholder_name(part.value), 2
            while name in names:
                name, number = f"{placeholder_name(part.value)}{number}", number + 1
            names.add(name)
            parts.append("{" + name + "}")
    return "".join(parts)


def message_of(call: ast.Call) -> ast.expr | None:
    """The argument that is the error's message: the first, or the one after a code."""
    for argument in call.args[:2]:
        if isinstance(argument, ast.JoinedStr) or (
                isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                and not CODE.fullmatch(argument.value)):
            return argument
    return None


def raised_messages(directories: list[Path]) -> Iterator[tuple[str, str]]:
    """(msgid, where) for every `raise Error("message" or f"message", ...)`, every error
    class that words its message itself, and every function that words an error it returns,
    in these directories (or files)."""
    for directory in directories:
        paths = [directory] if directory.is_file() else sorted(directory.rglob("*.py"))
        for path in paths:
            if "migrations" in path.parts:
                continue
            for call in refusals_in(ast.parse(path.read_text(encoding="utf-8"))):
                message = message_of(call)
                msgid = msgid_of(message) if message is not None else None
                if msgid:
                    yield msgid, f"{path.relative_to(directory.parent)}:{call.lineno}"


def refusals_in(tree: ast.AST) -> Iterator[ast.Call]:
    """The calls that make an error with its message, in the order of the source."""
    returned = {id(call) for call in returned_errors(tree)}
    for node in ast.walk(tree):
        call = node.exc if isinstance(node, ast.Raise) else node
        if isinstance(call, ast.Call) and call.args and not is_python_error(call) and (
                isinstance(node, ast.Raise) or is_error_init(call) or id(call) in returned):
            yield call


def returned_errors(tree: ast.AST) -> Iterator[ast.Call]:
    """`return TooLarge(...)` in a function annotated `-> TooLarge` (or `-> Conflict | Gone`)."""
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and function.returns is not None:
            returns = {node.id for node in ast.walk(function.returns)
                       if isinstance(node, ast.Name)}
            for node in ast.walk(function):
                if isinstance(node, ast.Return) and isinstance(node.value, ast.Call) \
                        and isinstance(node.value.func, ast.Name) \
                        and node.value.func.id in returns:
                    yield node.value


def is_python_error(call: ast.Call) -> bool:
    """`raise RuntimeError("...")`: a bug, not a refusal."""
    return isinstance(call.func, ast.Name) and call.func.id in PYTHON_ERRORS


def is_error_init(call: ast.Call) -> bool:
    """`super().__init__(f"the archive is refused: {message}")`: an error's own wording."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "__init__"


ROOT = Path(__file__).resolve().parents[1]
# Refusals of shared code that issuer and wallet show on their pages (the password rules).
SHARED_REFUSAL_CODE = [ROOT / "servicekit" / "passwords.py", ROOT / "servicekit" / "database.py"]


def role_refusal_sources(role: str) -> list[Path]:
    """Where the refusals a role's pages show are raised: its services, its pages, and the
    shared code it calls."""
    return [ROOT / role / "services", ROOT / role / "web", *SHARED_REFUSAL_CODE]
