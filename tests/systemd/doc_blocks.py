"""The shell code blocks of a Markdown page, and where each is meant to run.

A block's info string says it: ```` ```sh server ````, ```` ```sh pi ```` or
```` ```sh test ```` (run only by the docs check). Other blocks are not run.
"""

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```sh (server|pi|test)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    where: str
    code: str


def shell_blocks(page: Path) -> list[Block]:
    return [Block(m[1], m[2]) for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


def as_script(blocks: list[Block]) -> str:
    """One bash script running the blocks in order; it stops at the first failing command."""
    parts = ["set -euo pipefail"]
    for number, block in enumerate(blocks, 1):
        parts.append(f"echo '== block {number} ({block.where})'")
        parts.append(block.code)
    return "\n".join(parts) + "\n"
