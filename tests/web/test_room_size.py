"""No module under ``src/`` grows past 520 lines: a room past ~500 becomes a package of the same
name, one module per subdomain (docs/architecture.md, "Layout"). Migrations are generated, and
an app's ``demo.py`` is seed data that reads top to bottom, so neither counts.
"""

from __future__ import annotations

from pathlib import Path

import sciaticare

SRC = Path(sciaticare.__file__).parent.parent
MOST_LINES = 520


def oversized(root: Path) -> list[str]:
    """``path: lines`` of every module under ``root`` longer than MOST_LINES, migrations and
    ``demo.py`` aside."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts or path.name == "demo.py":
            continue
        lines = len(path.read_text().splitlines())
        if lines > MOST_LINES:
            found.append(f"{path.relative_to(root).as_posix()}: {lines}")
    return found


def test_no_module_under_src_is_past_the_size_of_a_room():
    found = oversized(SRC)

    assert not found, "split into a package, one module per subdomain:\n" + "\n".join(found)


def test_the_scan_sees_a_long_module_and_leaves_migrations_and_demo_data(tmp_path):
    app = tmp_path / "sciaticare" / "app"
    (app / "migrations").mkdir(parents=True)
    long = "x = 1\n" * (MOST_LINES + 1)
    for name in ("views.py", "demo.py", "migrations/0001_initial.py"):
        (app / name).write_text(long)
    (app / "selectors.py").write_text("x = 1\n" * MOST_LINES)

    assert oversized(tmp_path) == [f"sciaticare/app/views.py: {MOST_LINES + 1}"]
