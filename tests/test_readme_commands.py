"""README.md's command table and the @command declarations agree on names, syntax and roles.

The table is generated (handlers/command_table.py); these tests regenerate it and compare. When one fails
after a command was added or changed, run:  .venv/bin/python -m handlers.command_table --write README.md
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from handlers import build_registry
from handlers.base import Registry, Role, Scope, roles_label
from handlers.command_table import BEGIN, END, current_block, main, render_table, replace_block

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
REGENERATE = "run: .venv/bin/python -m handlers.command_table --write README.md"


def table_rows(block: str) -> dict[str, tuple[str, str, str]]:
    """The README block's rows by command name: (syntax, who, where), read back from the Markdown."""
    rows: dict[str, tuple[str, str, str]] = {}
    for line in block.splitlines():
        if not line.startswith("| ") or line.startswith(("| 分类 ", "|---")):
            continue
        cells = [c.strip().replace(r"\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        syntax = cells[1].strip("`")
        name = syntax.split()[0].lstrip("#")
        assert name not in rows, f"README lists #{name} twice"
        rows[name] = (syntax, cells[2], cells[3])
    return rows


def declared_rows(registry: Registry) -> dict[str, tuple[str, str, str]]:
    where = {Scope.ANY: "群聊、私聊", Scope.PRIVATE: "仅私聊", Scope.GROUP: "仅群聊"}
    return {s.name: (" ".join(s.syntax.split()), roles_label(s.roles), where[s.scope]) for s in registry.ordered}


def test_readme_lists_exactly_the_declared_commands() -> None:
    listed = table_rows(current_block(README.read_text(encoding="utf-8")))
    declared = declared_rows(build_registry())
    assert sorted(set(declared) - set(listed)) == [], f"declared but not in README; {REGENERATE}"
    assert sorted(set(listed) - set(declared)) == [], f"in README but not declared; {REGENERATE}"


def test_readme_syntax_and_roles_match_the_declarations() -> None:
    listed = table_rows(current_block(README.read_text(encoding="utf-8")))
    declared = declared_rows(build_registry())
    wrong = {name: (listed[name], want) for name, want in declared.items() if listed.get(name, want) != want}
    assert wrong == {}, f"README (syntax, who, where) differs from the declarations; {REGENERATE}"


def test_readme_block_is_the_generated_table() -> None:
    # Also help lines, aliases and sections: the block must be exactly what the generator writes.
    text = README.read_text(encoding="utf-8")
    assert replace_block(text, render_table(build_registry())) == text, REGENERATE


def test_readme_still_starts_with_the_two_commands() -> None:
    head = "\n".join(README.read_text(encoding="utf-8").splitlines()[:10])
    assert "make run" in head and "make test" in head


def _changed(registry: Registry, command: str, changes: dict[str, object]) -> Registry:
    """A copy of the registry with one declaration changed, as another branch might change it."""
    changed = Registry()
    for spec in registry.ordered:
        changed.add(dataclasses.replace(spec, **changes) if spec.name == command else spec)
    return changed


@pytest.mark.parametrize("changes", [
    {"name": "报名活动", "syntax": "#报名活动 编号"},  # renamed
    {"syntax": "#报名 编号 [+家属人数]"},  # syntax changed
    {"role": Role.ADMIN},  # roles changed
    {"scope": Scope.PRIVATE},  # private only now
])
def test_a_changed_declaration_is_caught(changes: dict[str, object]) -> None:
    registry = build_registry()
    block = f"{BEGIN}\n{render_table(registry)}\n{END}"
    changed = _changed(registry, "报名", changes)
    assert table_rows(block) != declared_rows(changed)
    assert replace_block(block, render_table(changed)) != block


def test_a_new_command_is_caught() -> None:
    registry = build_registry()
    block = f"{BEGIN}\n{render_table(registry)}\n{END}"
    spec = registry.get("报名")
    assert spec is not None
    registry.add(dataclasses.replace(spec, name="抽奖", syntax="#抽奖 编号", aliases=(), help="参加抽奖"))
    assert "抽奖" in declared_rows(registry) and "抽奖" not in table_rows(block)


def test_pipes_in_syntax_survive_the_table() -> None:
    # '#评价 编号 满意|基本满意|不满意' must stay one cell, and read back as declared.
    rows = table_rows(render_table(build_registry()))
    assert rows["评价"][0] == "#评价 编号 满意|基本满意|不满意 [意见]"


def test_write_and_check(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(f"# 标题\n\n{BEGIN}\n| 旧表 |\n{END}\n\n结尾\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert main(["--write", str(stale)]) == 0
    text = stale.read_text(encoding="utf-8")
    assert text.startswith("# 标题\n\n") and text.endswith("\n\n结尾\n") and "| 旧表 |" not in text
    assert main(["--check", str(stale)]) == 0
    no_markers = tmp_path / "other.md"
    no_markers.write_text("# 没有标记\n", encoding="utf-8")
    assert main(["--check", str(no_markers)]) == 2


def test_regeneration_is_one_command(tmp_path: Path) -> None:
    copy = tmp_path / "README.md"
    copy.write_text(README.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "handlers.command_table", "--check", str(copy)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
