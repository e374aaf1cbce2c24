"""The layering is visible in the imports: standards core → shared service kit → roles →
application root. These tests read the real import graph (by running the code), so a
shortcut that crosses a layer fails here."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROLES = ("issuer", "wallet", "verifier")


def imported_top_packages(package: str) -> set[str]:
    """Top-level packages named by the import statements of every module in `package`."""
    names: set[str] = set()
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["standards", "servicekit"])
def test_shared_layers_import_no_role_and_not_the_application(package: str) -> None:
    crossing = imported_top_packages(package) & {*ROLES, "opendossier"}
    assert not crossing, f"{package} imports {sorted(crossing)}"


def test_standards_core_does_not_import_the_service_kit() -> None:
    assert "servicekit" not in imported_top_packages("standards")


@pytest.mark.parametrize(("role", "others"), [(r, set(ROLES) - {r}) for r in ROLES])
def test_a_role_does_not_import_another_role_or_the_application(role: str,
                                                                others: set[str]) -> None:
    # The wallet verifies with the standards core's verification, not the verifier role.
    crossing = imported_top_packages(role) & (others | {"opendossier"})
    assert not crossing, f"{role} imports {sorted(crossing)}"


def loaded_modules_after(*argv: str) -> set[str]:
    code = ("import sys, contextlib, io\n"
            "from opendossier.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            f"        main({list(argv)!r})\n"
            "    except SystemExit:\n"
            "        pass\n"
            "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=60, check=True)
    return set(result.stdout.split())


def test_help_loads_no_role() -> None:
    assert not loaded_modules_after("--help") & set(ROLES)


@pytest.mark.parametrize("role", ["issuer", "wallet"])
def test_a_role_command_loads_only_that_role(role: str) -> None:
    loaded = loaded_modules_after(role, "--help")
    assert role in loaded
    assert not loaded & (set(ROLES) - {role})


# --- inside a role: pages → services → models ------------------------------------------
WEB_MAY_NOT_IMPORT = ("api", "models", "db")  # a role's modules the pages leave alone
ORM_PACKAGES = ("sqlmodel", "sqlalchemy")
SERVICES_MAY_NOT_IMPORT = ("web", "api")

# Pages of the issuer and the verifier that still import an API module or the ORM, as
# (file, imported module). They are being moved onto services in their own branches; the
# list is emptied when those are merged, and nothing may be added to it.
KNOWN_PAGE_SHORTCUTS: set[tuple[str, str]] = set()


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and \
        node.test.id == "TYPE_CHECKING"


def runtime_imports(path: Path, root: Path = REPO) -> set[str]:
    """The absolute module names `path` imports when it runs (imports under
    `if TYPE_CHECKING:` only name types for annotations, so they do not count)."""
    package = path.relative_to(root).parent.parts
    names: set[str] = set()
    pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while pending:
        node = pending.pop()
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parent = package[:len(package) - node.level + 1] if node.level else ()
            base = ".".join([*parent, *([node.module] if node.module else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return names


def crossings(folder: str, forbidden: Callable[[list[str]], bool],
              root: Path = REPO) -> set[tuple[str, str]]:
    """(file, module) for every module imported under `folder` that `forbidden` refuses,
    one entry per module: `from wallet.api.deps import Context` is wallet.api.deps (the
    imported names count too, since `from wallet import api` imports a module)."""
    found: set[tuple[str, str]] = set()
    for path in sorted((root / folder).rglob("*.py")):
        names = runtime_imports(path, root)
        for name in names:
            parent = name.rpartition(".")[0]
            if forbidden(name.split(".")) and not (parent in names
                                                   and forbidden(parent.split("."))):
                found.add((path.relative_to(root).as_posix(), name))
    return found


def _page_shortcut(parts: list[str]) -> bool:
    return parts[0] in ORM_PACKAGES or \
        (parts[0] in ROLES and len(parts) > 1 and parts[1] in WEB_MAY_NOT_IMPORT)


def _services_reach_up(parts: list[str]) -> bool:
    return parts[0] in ROLES and len(parts) > 1 and parts[1] in SERVICES_MAY_NOT_IMPORT


@pytest.mark.parametrize("role", ROLES)
def test_pages_call_services_not_the_api_or_the_orm(role: str) -> None:
    found = crossings(f"{role}/web", _page_shortcut) - KNOWN_PAGE_SHORTCUTS
    assert not found, f"{role}'s pages import API modules or the ORM: {sorted(found)}"


@pytest.mark.parametrize("role", ROLES)
def test_services_do_not_import_pages_or_the_api(role: str) -> None:
    found = crossings(f"{role}/services", _services_reach_up)
    assert not found, f"{role}'s services import its pages or API: {sorted(found)}"


def test_the_layer_check_sees_a_shortcut(tmp_path: Path) -> None:
    """The checks above read what they should: a page with shortcuts is caught (relative
    imports too), a type-only import is not."""
    pages = tmp_path / "wallet" / "web" / "pages"
    pages.mkdir(parents=True)
    (pages / "probe.py").write_text("from typing import TYPE_CHECKING\n"
                                    "from sqlmodel import select\n"
                                    "from wallet.api.deps import Context\n"
                                    "import wallet.db\n"
                                    "from ...models import Evidence\n"
                                    "from wallet.services import evidence\n"
                                    "if TYPE_CHECKING:\n"
                                    "    from wallet.models import Account\n",
                                    encoding="utf-8")
    assert crossings("wallet/web", _page_shortcut, tmp_path) == {
        ("wallet/web/pages/probe.py", name)
        for name in ("sqlmodel", "wallet.api.deps", "wallet.db", "wallet.models")}
