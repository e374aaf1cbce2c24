"""The refusal messages a role's code raises, as catalogue msgids: `raise NotFound(f"no evidence
{evidence_id[:40]!r} in this dossier")` gives "no evidence {evidence_id} in this dossier"."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path


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


def raised_messages(directories: list[Path]) -> Iterator[tuple[str, str]]:
    """(msgid, where) for every `raise Error("message" or f"message", ...)`, and every
    error class that words its message itself, in these directories (or files)."""
    for directory in directories:
        paths = [directory] if directory.is_file() else sorted(directory.rglob("*.py"))
        for path in paths:
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                call = node.exc if isinstance(node, ast.Raise) else node
                if isinstance(call, ast.Call) and call.args and (
                        isinstance(node, ast.Raise) or is_error_init(call)):
                    msgid = msgid_of(call.args[0])
                    if msgid:
                        yield msgid, f"{path.relative_to(directory.parent)}:{call.lineno}"


def is_error_init(call: ast.Call) -> bool:
    """`super().__init__(f"the archive is refused: {message}")`: an error's own wording."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "__init__"
