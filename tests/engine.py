"""The built site's search without a browser: tests/search_engine.js runs, in Node, the worker a page starts, with
Material's worker and the index it loads, and answers a list of queries (the fast tier's search tests). The
browser tests (test_search_quality.py) type the same queries into the real pages, served and from file://."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ENGINE = Path(__file__).with_name("search_engine.js")


@dataclass(frozen=True)
class Group:
    """One result of the list: a page, and the sections shown under it."""

    page: str
    sections: tuple[str, ...]


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if not found:
        raise RuntimeError("Node.js is needed to run the search without a browser (make test installs it)")
    return found


def search_all(language_site: Path, queries: list[str], index_config: dict | None = None) -> list[list[Group]]:
    """The results of each query, in order, as the search of `language_site` (site/<lang>) gives them."""
    env = dict(os.environ)
    if index_config is not None:
        env["CALCGUIDE_INDEX_CONFIG"] = json.dumps(index_config)
    done = subprocess.run([node(), str(ENGINE), str(language_site)], input=json.dumps(queries), text=True,
                          capture_output=True, env=env, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"search_engine.js failed: {done.stderr}")
    return [[Group(group["page"], tuple(group["sections"])) for group in groups]
            for groups in json.loads(done.stdout)]
