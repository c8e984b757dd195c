"""The project's documentation is in the project: no file points to a design note that is not in it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Names of design notes that lived outside the repository; what they said is now under docs/.
OUTSIDE_NOTES = re.compile(r"\b(EXTRACTS|MARTS|REFERENCE|ARCHITECTURE)\.md\b")
#: A path into the team's folder beside the checkout, which a user's clone does not have.
OUTSIDE_PATHS = re.compile(r"\.\./shared\b|\bparents?(\[\d\])? / \"shared\"")
DOCS = ("architecture.md", "extracts.md", "marts.md", "readiness-plan.md")


def _tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    return [ROOT / n.decode() for n in names if n and (ROOT / n.decode()).is_file()]


def test_no_reference_to_a_design_note_outside_the_repository() -> None:
    found = []
    for path in _tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary fixtures (Parquet, gzip)
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_NOTES.search(line) or OUTSIDE_PATHS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "references to notes that are not in the repository (point to docs/ instead):\n" + "\n".join(
        found
    )


def test_the_docs_exist_and_the_readme_links_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in DOCS:
        assert (ROOT / "docs" / name).is_file(), f"docs/{name} is missing"
        assert f"(docs/{name})" in readme, f"README.md does not link docs/{name}"


def test_links_between_docs_resolve() -> None:
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+\.md)\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).is_file(), f"{path.relative_to(ROOT)} links {target}, which does not exist"
