"""The layering is visible in the imports: standards core → shared service kit → roles →
application root. These tests read the real import graph (by running the code), so a
shortcut that crosses a layer fails here."""

from __future__ import annotations

import ast
import subprocess
import sys
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
