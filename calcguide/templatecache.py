"""Compiled Jinja templates kept in the work folder between builds, for our page templates and MkDocs' theme.

Compiling Material's templates is about half of each MkDocs build, and it was done again for the second
language and on every rebuild of `serve`. Jinja's bytecode cache keys each template by its file and checks the
checksum of its source, so an edited template is compiled again: the output is the same as without the cache.
(The key leaves out the environment's options; one folder serves both environments because each template file
is only ever compiled by one of them, and MkDocs sets up its theme environment the same way for every language.)
"""
from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.plugins import BasePlugin


def bytecode_cache(work_dir: Path) -> jinja2.BytecodeCache:
    folder = work_dir / "jinja-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


class ThemeBytecodeCache(BasePlugin):
    """Added by site.py to each MkDocs build it runs (not to the written configurations: bare MkDocs stays bare)."""

    def __init__(self, work_dir: Path):
        super().__init__()
        self.cache = bytecode_cache(work_dir)

    def on_env(self, env: jinja2.Environment, config, files) -> jinja2.Environment:  # noqa: ANN001 - MkDocs' hook
        # MkDocs makes a new theme environment per build; no theme template has been loaded yet at this event.
        env.bytecode_cache = self.cache
        return env
