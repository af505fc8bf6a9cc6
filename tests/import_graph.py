"""The imports between the project's apps, read from the source: which app imports which.

`python -m tests.import_graph` prints every arrow with the number of imports behind it,
separately for the domain code and for the files that compose apps (admin.py, urls.py and
management commands). tests/test_imports_point_one_way.py holds the rule the arrows follow.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lower floors first. An app may import the floors below it; apps on one floor may not import
# each other. accounts/ (logging in) stands beside the domain and imports only lib/.
FLOORS: list[set[str]] = [
    {"lib"},
    {"agreements", "accounts"},
    {"activities"},
    {"indicators"},
    {"economy"},
    {"reports", "audit", "demo", "onboarding", "members"},
    {"helhedsplan"},
]
APPS = set().union(*FLOORS)
FLOOR = {app: number for number, apps in enumerate(FLOORS) for app in apps}


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    source: str  # the importing app
    target: str  # the imported app
    explained: bool  # a comment on the line or just above it says why

    @property
    def composes(self) -> bool:
        """Whether the importing file is one that composes apps: their admin, URLs, commands."""
        parts = self.path.relative_to(ROOT).parts
        return parts[-1] in ("admin.py", "urls.py") or "management" in parts

    @property
    def points_up(self) -> bool:
        if self.source == self.target:
            return False
        if self.source == "accounts":
            return self.target != "lib"
        return FLOOR[self.target] >= FLOOR[self.source]

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.source} -> {self.target}"


def project_imports() -> list[Import]:
    found = []
    for app in sorted(APPS):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = path.read_text().splitlines()
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    target = name.split(".")[0]
                    if target in APPS:
                        nearby = lines[max(0, node.lineno - 3) : node.lineno]
                        explained = any("#" in line for line in nearby)
                        found.append(Import(path, node.lineno, app, target, explained))
    return found


def arrows(imports: list[Import]) -> Counter[tuple[str, str, str]]:
    return Counter(
        ("compose" if found.composes else "domain", found.source, found.target)
        for found in imports
        if found.source != found.target
    )


if __name__ == "__main__":
    for (kind, source, target), count in sorted(arrows(project_imports()).items()):
        marker = "  (up)" if Import(ROOT, 0, source, target, False).points_up else ""
        print(f"{kind:8} {source:12} -> {target:12} {count:3}{marker}")
