"""Compiled Jinja templates kept in the work folder between builds, for our page templates and MkDocs' theme.

Compiling Material's templates is about half of each MkDocs build, and it was done again for the second
language and on every rebuild of `serve`. Jinja's own cache keys a template by its name and file only, and checks
the checksum of its source; what the compiled code also depends on — the environment's options (trim_blocks,
delimiters, extensions, autoescape…), the filters the optimizer may have folded, the versions of Jinja, MkDocs
and Material — was left out, so a cache warmed under other options returned stale output. Here the key holds
all of it: anything that could change the compiled code gives another key, and the output is always the same as
without the cache.

Loading a cached template runs what the file holds (Jinja unpickles its checksum and unmarshals the code), and the
work folder may be inside the repository: a file is loaded only when signed with this user's key
(calcguide/keptcache.py's `sign` and `verified`); any other, or none without a key, is compiled again.
"""
from __future__ import annotations

import hashlib
import sys
import types
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket
from mkdocs.plugins import BasePlugin

from .keptcache import read_kept_bytes, sign, verified, write_kept_bytes

# Environment attributes that the compiler reads.
COMPILE_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
                   "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
                   "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
                   "is_async")


@lru_cache(maxsize=1)
def versions() -> str:
    """The versions of what compiles or supplies templates (and of Python, whose bytecode is stored)."""
    return " ".join([f"python={sys.version_info[:3]}", f"jinja2={jinja2.__version__}",
                     f"mkdocs={version('mkdocs')}", f"mkdocs-material={version('mkdocs-material')}"])


def _stable(value: Any) -> str:
    """A constant of compiled code, written the same in every process: a nested function's code by its own
    contents (its repr holds a memory address), a frozenset in sorted order (its order follows string hashing,
    which differs from process to process)."""
    if isinstance(value, types.CodeType):
        return _code_digest(value)
    if isinstance(value, frozenset):
        return "frozenset(" + ",".join(sorted(_stable(item) for item in value)) + ")"
    if isinstance(value, tuple):
        return "(" + ",".join(_stable(item) for item in value) + ")"
    return repr(value)


def _code_digest(code: types.CodeType) -> str:
    parts = [code.co_code.hex(), *code.co_names, *(_stable(constant) for constant in code.co_consts)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _code_of(function: Any) -> str:
    """A function as the optimizer may have run it: its module, name and code (so an edited filter counts), the
    same in every build process (else the cache would never be reused)."""
    function = getattr(function, "__func__", function)
    code = getattr(function, "__code__", None)
    body = _code_digest(code) if code else ""
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', repr(type(function)))}:{body}"


def environment_key(environment: jinja2.Environment) -> str:
    """Everything about `environment` that shapes the code it compiles (autoescape aside: it may differ from one
    template to another, see `KeyedBytecodeCache`)."""
    parts = [versions()]
    parts += [f"{option}={getattr(environment, option)!r}" for option in COMPILE_OPTIONS]
    parts += [f"extension={key}" for key in sorted(environment.extensions)]
    parts.append(f"finalize={_code_of(environment.finalize) if environment.finalize else None}")
    # With `optimized`, constant expressions are evaluated at compile time, filters and tests included.
    parts += [f"filter {key}={_code_of(value)}" for key, value in sorted(environment.filters.items())]
    parts += [f"test {key}={_code_of(value)}" for key, value in sorted(environment.tests.items())]
    return "\n".join(parts)


class KeyedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, keyed by the template *and* by everything else that shapes its compiled code."""

    def __init__(self, directory: str):
        super().__init__(directory)
        self._keys: dict[int, tuple[jinja2.Environment, str]] = {}  # environments do not change once in use

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> Bucket:
        remembered = self._keys.get(id(environment))
        if remembered is None or remembered[0] is not environment:
            remembered = (environment, hashlib.sha256(environment_key(environment).encode()).hexdigest())
            self._keys[id(environment)] = remembered
        # autoescape may depend on the template's name (select_autoescape), so it is keyed per template too.
        autoescape = environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape
        key = hashlib.sha256(f"{remembered[1]}\0{autoescape!r}\0{name}\0{filename or ''}".encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = verified(read_kept_bytes(Path(self._get_cache_filename(bucket))))
        except OSError:  # none yet, a folder in its place, unreadable: compiled again
            return
        if data is not None:  # unsigned, or not by this user: never loaded
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if (signed := sign(bucket.bytecode_to_string())) is not None:
            write_kept_bytes(Path(self._get_cache_filename(bucket)), signed)


def bytecode_cache(work_dir: Path) -> jinja2.BytecodeCache:
    folder = work_dir / "jinja-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return KeyedBytecodeCache(str(folder))


class ThemeBytecodeCache(BasePlugin):
    """Added by site.py to each MkDocs build it runs (not to the written configurations: bare MkDocs stays bare)."""

    def __init__(self, work_dir: Path):
        super().__init__()
        self.cache = bytecode_cache(work_dir)

    def on_env(self, env: jinja2.Environment, config, files) -> jinja2.Environment:  # noqa: ANN001 - MkDocs' hook
        # MkDocs makes a new theme environment per build; no theme template has been loaded yet at this event.
        env.bytecode_cache = self.cache
        return env
