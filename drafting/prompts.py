"""The versioned prompt templates in `drafting/prompts/`: loading, rendering and identity."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine, Template

PROMPT_DIR = Path(__file__).resolve().parent / "prompts"
SEPARATOR = "=== user ==="
_NAME = re.compile(r"^(?P<name>[a-z_]+)\.v(?P<version>\d+)\.txt$")
_ENGINE = Engine(autoescape=False)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    sha256: str
    system: str
    user: str

    def render(self, variables: dict[str, Any]) -> tuple[str, str]:
        context = Context(variables, autoescape=False)
        system = _compiled(self.system).render(context)
        user = _compiled(self.user).render(context)
        return system.strip(), _tidy(user)


@cache
def _compiled(source: str) -> Template:
    return _ENGINE.from_string(source)


def _tidy(text: str) -> str:
    # Templates leave runs of blank lines where optional sections were left out.
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@cache
def prompt(name: str) -> Prompt:
    """The highest version of the prompt called `name`."""
    versions = []
    for path in PROMPT_DIR.iterdir():
        match = _NAME.match(path.name)
        if match and match["name"] == name:
            versions.append((int(match["version"]), path))
    if not versions:
        raise LookupError(f"no prompt template named {name!r} in {PROMPT_DIR.name}/")
    number, path = max(versions)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    if SEPARATOR not in text:
        raise ValueError(f"{path.name} has no '{SEPARATOR}' line between system and user parts")
    system, user = text.split(SEPARATOR, 1)
    return Prompt(
        name=name,
        version=f"v{number}",
        sha256=hashlib.sha256(raw).hexdigest(),
        system=system,
        user=user,
    )
