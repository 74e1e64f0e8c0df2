"""The code stays small and its dependencies are exactly what it imports."""
import ast
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "pipeline"
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60
# distribution name (pyproject) -> the top-level module it provides
MODULES = {"pyyaml": "yaml", "xstatic-leaflet": "xstatic", "strategische-vestigingsplaatsen": "pipeline"}


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_over_400_lines_and_no_function_over_60():
    too_long = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(REPO)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}(): {length} lines")
    assert too_long == []


def imported_top_level() -> set[str]:
    names = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"pipeline"}


def test_dependencies_are_exactly_what_the_package_imports():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {d.split("==")[0].split(">=")[0].split("[")[0].strip().lower() for d in project["dependencies"]}
    provided = {MODULES.get(d, d.replace("-", "_")) for d in declared}
    assert provided == imported_top_level()
