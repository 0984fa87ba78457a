"""README.md's command table, rendered from the ``@command`` declarations.

The table sits in README.md between two markers; ``python -m handlers.command_table --write README.md``
regenerates it after a command is added or changed, and tests/test_readme_commands.py fails while the
README and the declarations disagree. Roles are worded as ``#帮助`` words them (``roles_label``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from handlers import build_registry
from handlers.base import CommandSpec, Registry, Scope, roles_label

BEGIN = "<!-- commands:begin -->"
END = "<!-- commands:end -->"
OTHER_SECTION = "其他"  # #帮助 lists it last; so does the table

SCOPE_LABELS = {Scope.ANY: "群聊、私聊", Scope.PRIVATE: "仅私聊", Scope.GROUP: "仅群聊"}
HEADER = ("| 分类 | 命令 | 谁可用 | 在哪用 | 说明 |", "|---|---|---|---|---|")


def _cell(text: str) -> str:
    # A bare '|' would end the cell (GFM reads '\|' as '|', also inside a code span); a line break
    # would end the row.
    return " ".join(text.split()).replace("|", r"\|")


def who_may(spec: CommandSpec) -> str:
    """'会员', '工会管理员', '提案委员会成员或承办部门联系人': the words of #帮助's '仅限…使用'."""
    return roles_label(spec.roles)


def row(spec: CommandSpec, section: str = "") -> str:
    aliases = f"（也可写作 {'、'.join('#' + a for a in spec.aliases)}）" if spec.aliases else ""
    cells = (section, f"`{spec.syntax}`", who_may(spec), SCOPE_LABELS[spec.scope], spec.help + aliases)
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def by_section(specs: Iterable[CommandSpec]) -> list[tuple[str, list[CommandSpec]]]:
    """Sections in the order their first command was declared, 其他 last (as #帮助 shows them)."""
    found: dict[str, list[CommandSpec]] = {}
    for spec in specs:
        found.setdefault(spec.section or OTHER_SECTION, []).append(spec)
    return sorted(found.items(), key=lambda kv: kv[0] == OTHER_SECTION)


def render_table(registry: Registry) -> str:
    """The Markdown table of every declared command: one row each, the section named on its first row."""
    lines = list(HEADER)
    for section, specs in by_section(registry.ordered):
        lines += [row(spec, section if i == 0 else "") for i, spec in enumerate(specs)]
    return "\n".join(lines)


def block(table: str) -> str:
    return f"{BEGIN}\n{table}\n{END}"


def current_block(text: str) -> str:
    """The README's block, markers included; ValueError when the markers are missing or out of order."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {BEGIN} … {END} block")
    return text[start:end + len(END)]


def replace_block(text: str, table: str) -> str:
    return text.replace(current_block(text), block(table), 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handlers.command_table",
        description="Render the chat command table from the @command declarations (printed without options).")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", type=Path, metavar="README", help="replace the table between the markers")
    action.add_argument("--check", type=Path, metavar="README", help="exit 1 when the table is out of date")
    args = parser.parse_args(argv)

    registry = build_registry()
    table = render_table(registry)
    path = args.write or args.check
    if path is None:
        print(block(table))
        return 0
    text = path.read_text(encoding="utf-8")
    try:
        updated = replace_block(text, table)
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if updated != text:
            print(f"{path}: the command table is out of date; run python -m handlers.command_table "
                  f"--write {path}", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    print(f"{path}: {len(registry.ordered)} commands")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
