"""The project's own mutation testing (`make mutants`): small regressions made on purpose in the modules that hold
a claim, each of which some test must catch.

Each mutation below replaces one exact piece of code with a plausible mistake (a check removed, a key that forgets
an input, a looser regular expression). For each, a scratch copy of the project is changed, the tests that guard
that module are run (fast-tier tests, plus a slow one where the claim needs it: the publish kill), and the
mutation is *killed* if a test fails, a *survivor* if all pass. A survivor is a missing test; the goal is none, or
each one explained in `equivalent` (a change that cannot alter behaviour). Not in CI: it runs the guarding tests
once per mutation (about 20 to 40 minutes on two loaded cores); README shows its last figure.

    .venv/bin/python tests/mutants.py              run every mutation, print the table and the survivors
    .venv/bin/python tests/mutants.py --only csp   run the mutations whose name or file contains "csp"
    .venv/bin/python tests/mutants.py --list       check that every mutation still applies, run nothing

Why our own list rather than mutmut: mutmut mutates every operator of a module and needs the whole suite per
mutant (the build alone takes a minute here); the regressions that matter are the ones a reviewer described
(issue 29), and each needs only the tests of its module. A mutation whose original text no longer exists is
reported as stale, so the list follows the code.
"""
from __future__ import annotations

import argparse
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
FAST = "not browser and not checker and not slow"


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    mutated: str
    tests: tuple[str, ...]  # pytest arguments: the test files (and -k filters) that guard this code
    markers: str = FAST
    equivalent: str = ""  # why no test can catch it, if none can


def m(name: str, file: str, original: str, mutated: str, *tests: str, markers: str = FAST,
      equivalent: str = "") -> Mutation:
    return Mutation(name, file, original, mutated, tests, markers, equivalent)


SAFETY = "calcguide/content/safety.py"
TEXT = "calcguide/content/text.py"
FRAGMENTS = "calcguide/fragments.py"
PARITY = "calcguide/content/parity.py"
CSP = "calcguide/csp.py"
AUDIT = "calcguide/audit.py"
TYPOGRAPHY = "calcguide/typography.py"
PUBLISH = "calcguide/publish.py"
PIPELINE = "calcguide/pipeline.py"
PDFCACHE = "calcguide/pdfcache.py"
TEMPLATECACHE = "calcguide/templatecache.py"
PACKAGE = "calcguide/package.py"
UPTODATE = "calcguide/uptodate.py"
VERDICTS = "calcguide/verdicts.py"
PRINTBUDGET = "calcguide/printbudget.py"
LOADER = "calcguide/content/loader.py"
RENDER = "calcguide/render.py"
SEARCH = "calcguide/search.py"

T_SAFETY = "tests/test_safety.py"
T_KEPT = "tests/test_kept_caches.py"
T_UNTRUSTED = "tests/test_untrusted_input.py"
T_PARITY = "tests/test_parity.py"
T_OUTPUT = "tests/test_output_check.py"
T_TYPOGRAPHY = "tests/test_typography.py"
T_PUBLISH = "tests/test_publish.py"
T_PDFCACHE = "tests/test_pdf_cache.py"
T_TEMPLATECACHE = "tests/test_template_cache.py"
T_PACKAGE = "tests/test_package.py"
T_UPTODATE = "tests/test_up_to_date.py"
T_VERDICTS = "tests/test_verdicts.py"
T_PRINTBUDGET = "tests/test_print_budget.py"

MUTATIONS: tuple[Mutation, ...] = (
    # --- content/safety: what a drug must state ------------------------------------------------------------------
    m("safety: liver dropped from what a drug must state", SAFETY,
      '"drug": ("contraindications", "pregnancy", "breastfeeding", "kidney", "liver", "children",',
      '"drug": ("contraindications", "pregnancy", "breastfeeding", "kidney", "children",', T_SAFETY),
    m("safety: a procedure need not say what to check before it", SAFETY,
      '"procedure": ("contraindications", "pregnancy", "before_treatment"),',
      '"procedure": ("contraindications", "pregnancy"),', T_SAFETY),
    m("safety: a statement without a citation accepted", SAFETY,
      "            if not any(cited_ids(self[lang])):", "            if False:", T_SAFETY),
    m("safety: a drug without a safety block accepted", SAFETY,
      "        if safety is None:\n            errors.append(", "        if safety is None:\n            continue\n            errors.append(",
      T_SAFETY),
    m("safety: an empty interactions list accepted", SAFETY,
      'if value is None or (name == "interactions" and not value):', "if value is None:", T_SAFETY),
    m("safety: an interaction written twice accepted", SAFETY,
      "            if pair in pairs:", "            if False:", T_SAFETY),
    # --- content markup: what a text may hold --------------------------------------------------------------------
    m("markup: images allowed again", FRAGMENTS,
      'if any(child.type == "image" for token in tokens for child in token.children or []):',
      "if False:", T_UNTRUSTED, "-k", "image"),
    m("markup: raw HTML allowed", TEXT, "    if HTML_TAG.search(value):", "    if False:", T_UNTRUSTED, "-k", "html"),
    m("markup: character codes allowed", TEXT, "    if HTML_ENTITY.search(value):", "    if False:",
      T_UNTRUSTED, "-k", "html"),
    m("markup: no bound on brackets", TEXT, "    if text.count(\"[\") > MAX_BRACKETS:", "    if False:",
      T_UNTRUSTED, "-k", "bound"),
    m("markup: no bound on line prefixes", TEXT, "    if _DEEP_PREFIX.search(text):", "    if False:",
      T_UNTRUSTED, "-k", "bound"),
    # --- the parity check ----------------------------------------------------------------------------------------
    m("parity: English thousands separators read as decimals", PARITY,
      '        digits = digits.replace(",", "")', "        pass", T_PARITY),
    m("parity: French decimal comma not read", PARITY,
      '        digits = digits.replace(",", ".")', "        pass", T_PARITY),
    m("parity: units ignored", PARITY,
      '        unit = _UNIT_OF.get(form) or _UNIT_OF.get(form.lower(), "")',
      '        unit = ""', T_PARITY),
    m("parity: mg/kg read as mg", PARITY,
      '"mg/kg": ("mg/kg",),', '"mg": ("mg/kg",),', T_PARITY),
    m("parity: how often a dose is given ignored", PARITY,
      "        if unit in _UNITS and (period := _PERIOD.match(text, match.end())):",
      "        if False and (period := _PERIOD.match(text, match.end())):", T_PARITY),
    m("parity: a dose's period may differ", PARITY,
      "one.unit == other.unit and not (one.period and other.period):", "one.unit == other.unit:", T_PARITY),
    m("parity: « les 12 premières semaines » loses its unit", PARITY,
      '(?:(?:premiers|premières|derniers|dernières) )?', "", T_PARITY),
    m("parity: thousands grouped by spaces not read", PARITY,
      '_NUMBER = re.compile(rf"(?<![\\w.,/])\\d+(?:[{_SPACES}]\\d{{3}}(?!\\d))*(?:[.,]\\d+)*")',
      '_NUMBER = re.compile(rf"(?<![\\w.,/])\\d+(?:[.,]\\d+)*")', T_PARITY),
    m("parity: « à » does not join a range", PARITY,
      '_RANGE_JOIN = re.compile(r"\\s*(?:to|à|–|—|-|and|et|or|ou)\\s*$", re.IGNORECASE)',
      '_RANGE_JOIN = re.compile(r"\\s*(?:to|–|—|-|and|et|or|ou)\\s*$", re.IGNORECASE)', T_PARITY),
    m("parity: Roman numerals not read", PARITY, "    for match in _ROMAN.finditer(text):",
      "    for match in ():", T_PARITY),
    m("parity: interface strings not checked", "calcguide/catalogue.py",
      "        errors = [*errors, *check_parity(source).errors]", "        pass", T_PARITY),
    m("parity: a range's unit not given to its first end", PARITY,
      "        if not quantity.unit and following[2].unit and", "        if False and", T_PARITY),
    m("parity: spelled-out numbers not read", PARITY,
      "    for match in (*_NUMBER.finditer(text), *_SPELLED_WORD[lang].finditer(text)):",
      "    for match in _NUMBER.finditer(text):", T_PARITY),
    m("parity: any unit may be left implicit", PARITY,
      "    return one.value == other.value and (one.unit, other.unit) in",
      "    return one.value == other.value or (one.unit, other.unit) in", T_PARITY),
    m("parity: citations read as numbers", PARITY,
      "    for pattern in _NOT_PROSE:\n        text = pattern.sub(\" \", text)",
      "    for pattern in _NOT_PROSE[1:]:\n        text = pattern.sub(\" \", text)", T_PARITY),
    m("parity: 'both' and « les deux » not understood", PARITY,
      "    _match(only_en, sorted(fr.optional.elements()))\n    _match(only_fr, sorted(en.optional.elements()))",
      "", T_PARITY),
    m("parity: a declared difference hides every difference", PARITY,
      "        if reason is not None:\n            if problem is None:",
      "        if reason is not None:\n            if False:", T_PARITY),
    m("parity: the check not run by the loader", "calcguide/content/loader.py",
      "        errors.extend(parity.errors)", "        pass", T_PARITY),
    # --- csp: which inline scripts run -------------------------------------------------------------------------
    m("csp: our script's start is enough (match)", CSP,
      "return any(pattern.fullmatch(source) for pattern in self.patterns)",
      "return any(pattern.match(source) for pattern in self.patterns)", T_OUTPUT, "-k", "not built"),
    m("csp: any part of our script is enough (search)", CSP,
      "return any(pattern.fullmatch(source) for pattern in self.patterns)",
      "return any(pattern.search(source) for pattern in self.patterns)", T_OUTPUT, "-k", "not built"),
    m("csp: a stranger script gets a hash", CSP,
      "    if strangers:\n        raise OutputCheckError(strangers)", "", T_OUTPUT, "-k", "not built"),
    m("csp: the policy starts from default-src 'self'", CSP,
      "POLICY = (\"default-src 'none'; ", "POLICY = (\"default-src 'self'; ", T_OUTPUT, "-k", "csp_file"),
    # --- audit: what a built page may hold ---------------------------------------------------------------------
    m("audit: any inline script allowed", AUDIT, "    if not allows_script(element.text):", "    if False:",
      T_OUTPUT, "-k", "not built"),
    m("audit: any link scheme allowed", AUDIT, "    if scheme and scheme not in LINK_SCHEMES_OF_PAGES:",
      "    if False:", T_OUTPUT, "-k", "not built"),
    m("audit: any attribute allowed", AUDIT, "            if not _allowed_attribute(tag, name):",
      "            if False:", T_OUTPUT, "-k", "not built"),
    m("audit: any meta http-equiv allowed", AUDIT,
      'if tag == "meta" and "http-equiv" in attributes and', 'if False and', T_OUTPUT, "-k", "not built"),
    m("audit: a handout may load files", AUDIT,
      "        if handout and (scheme != \"data\" or tag != \"img\"):", "        if False:", T_OUTPUT, "-k", "not built"),
    # --- typography ------------------------------------------------------------------------------------------------
    m("typography: no no-break space before a colon", TYPOGRAPHY, '    text = COLON.sub(NBSP + ":", text)', "",
      T_TYPOGRAPHY, "-k", "not built and not french_site"),
    m("typography: no decimal comma in French", TYPOGRAPHY,
      "    number = _INTEGER.sub(_group, _DECIMAL.sub(r\"\\1,\\2\", number))",
      "    number = _INTEGER.sub(_group, number)", T_TYPOGRAPHY, "-k", "not built and not french_site"),
    m("typography: addresses typeset too", TYPOGRAPHY,
      "    return _outside(PROTECTED_WORD, text, _punctuate)", "    return _punctuate(text)",
      T_TYPOGRAPHY, "-k", "not built and not french_site"),
    # --- publish: site/ and dist/ together ------------------------------------------------------------------------
    m("publish: the full build switches site/ and dist/ with two plain renames", PIPELINE,
      "        publish_together([(context.site, layout.site_dir), (context.dist, layout.dist_dir)], context.work_lock)",
      "        publish(context.site, layout.site_dir)\n        publish(context.dist, layout.dist_dir)",
      T_PUBLISH, "-k", "full_build", markers="slow"),
    m("publish: the switch process shares the build's process group", PUBLISH,
      "    switch = subprocess.Popen(command, start_new_session=True,",
      "    switch = subprocess.Popen(command, start_new_session=False,", T_PUBLISH, "-k", "not full_build"),
    m("publish: a committed switch is not finished by the next build", PUBLISH,
      "    if journal.exists():\n        recorded", "    if False:\n        recorded", T_PUBLISH, "-k", "not full_build"),
    m("publish: no journal written (no commit point)", PUBLISH,
      '    _write_atomically(journal, json.dumps({"targets": [str(target) for target in targets]}))', "",
      T_PUBLISH, "-k", "not full_build"),
    m("publish: a second build may share the work folder", PUBLISH,
      "            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)", "            pass", T_PUBLISH,
      "-k", "not full_build"),
    # --- uptodate: what a build with nothing to do must have checked ---------------------------------------------
    m("uptodate: the templates not read", UPTODATE, '        "templates": tree_digest(project / "templates"),\n', "",
      T_UPTODATE),
    m("uptodate: the date ignored", UPTODATE, '        "utc date": now.date().isoformat(),', "", T_UPTODATE),
    m("uptodate: the flags ignored", UPTODATE, '        "flags": flags,\n', "", T_UPTODATE),
    m("uptodate: a file's name ignored", UPTODATE,
      'digest.update(os.fsencode(relative) + f"\\0{file_digest}\\0".encode())',
      'digest.update(f"{file_digest}\\0".encode())', T_UPTODATE),
    m("uptodate: the output not checked", UPTODATE, "        if output_manifest(outputs) != record.outputs:",
      "        if False:", T_UPTODATE),
    m("uptodate: links followed", UPTODATE, "    if not stat.S_ISDIR(info.st_mode):", "    if False:", T_UPTODATE),
    # --- verdicts and printed pages: what a page's reading is remembered by --------------------------------------
    m("verdicts: the page's bytes ignored", VERDICTS, '.encode() + html.encode("utf-8")).hexdigest()',
      ".encode()).hexdigest()", T_VERDICTS),
    m("verdicts: the redirect's target ignored", VERDICTS, "\\0{given!r}\\0", "\\0", T_VERDICTS),
    m("verdicts: our scripts ignored", VERDICTS, 'f"{code_salt}\\0{scripts_key}"', 'f"{code_salt}"',
      T_VERDICTS),
    m("printbudget: the PDF's bytes ignored", PRINTBUDGET, 'EXTRACTION.encode() + b"\\0" + data', "EXTRACTION.encode()",
      T_PRINTBUDGET),
    # --- the caches a build that runs keeps (calcguide/keptcache.py and its users) -----------------------------
    m("kept documents: the file's bytes ignored", LOADER,
      "if (entry := self.entries.get(key)) is not None and entry[0] == raw:",
      "if (entry := self.entries.get(key)) is not None:", T_KEPT),
    m("kept documents: the review's fingerprints kept whatever the documents", LOADER,
      "if kept is not None and kept[0] == digest and well_formed(kept[1]):",
      "if kept is not None and well_formed(kept[1]):", T_KEPT),
    m("kept fragments: the renderer's shape (references, glossary) ignored", RENDER,
      '"\\0".join((self._shape, *reversed(key)))', '"\\0".join(("", *reversed(key)))', T_KEPT,
      markers="slow"),
    m("kept search fields: the section's text ignored", SEARCH, "json.dumps([shape, *key])",
      "json.dumps([shape, key[0], key[2]])", T_KEPT, markers="slow"),
    m("kept documents: unpickled without their signature", LOADER,
      "            if data is None:  # unsigned, or not by this user: never unpickled\n                return cls()\n",
      "            data = path.read_bytes() if data is None else data\n", T_KEPT),
    m("compiled templates: loaded without their signature", TEMPLATECACHE,
      "            data = verified(Path(self._get_cache_filename(bucket)).read_bytes())",
      "            data = Path(self._get_cache_filename(bucket)).read_bytes()", T_KEPT),
    m("kept caches: saved although an input changed during the build", PIPELINE,
      "if context.snapshot is None or not context.snapshot.still_holds():", "if context.snapshot is None:", T_KEPT,
      markers="slow"),
    m("printed pages' keys: by content/ at the end, not by what the build read", PIPELINE,
      'extra=read) if read else None', 'extra="") if read else None', T_KEPT, markers="slow"),
    # --- pdfcache: what a printed handout depends on ------------------------------------------------------------
    m("pdfcache: the Chromium version ignored", PDFCACHE, '"chromium": _chromium_version(folder, executable), ', "",
      T_PDFCACHE),
    m("pdfcache: the fonts ignored", PDFCACHE, ', "fonts": _stat_digest(font_places())}', "}", T_PDFCACHE),
    m("pdfcache: the print options ignored", PDFCACHE, '"args": args, "options": options,', '"args": args,',
      T_PDFCACHE),
    m("pdfcache: the page ignored", PDFCACHE, '        return hashlib.sha256(f"{self.setup}\\0{html}".encode()).hexdigest()',
      "        return hashlib.sha256(self.setup.encode()).hexdigest()", T_PDFCACHE),
    # --- templatecache: what compiled templates depend on -------------------------------------------------------
    m("templatecache: the theme's version ignored", TEMPLATECACHE,
      ', f"mkdocs-material={version(\'mkdocs-material\')}"', "", T_TEMPLATECACHE),
    m("templatecache: Jinja's version ignored", TEMPLATECACHE, 'f"jinja2={jinja2.__version__}",', "",
      T_TEMPLATECACHE),
    m("templatecache: the environment's options ignored", TEMPLATECACHE,
      '    parts += [f"{option}={getattr(environment, option)!r}" for option in COMPILE_OPTIONS]', "",
      T_TEMPLATECACHE),
    m("templatecache: the filters ignored", TEMPLATECACHE,
      '    parts += [f"filter {key}={_code_of(value)}" for key, value in sorted(environment.filters.items())]', "",
      T_TEMPLATECACHE),
    m("templatecache: a nested function's memory address in the key", TEMPLATECACHE,
      "    if isinstance(value, types.CodeType):\n        return _code_digest(value)",
      "    if False:\n        pass", T_TEMPLATECACHE),
    # --- package: the offline zip --------------------------------------------------------------------------------
    m("package: the zip unpacks into site/", PACKAGE,
      '            name = member_name(f"{folder}/{relative}")',
      '            name = member_name(f"site/{relative}")', T_PACKAGE),
    m("package: symbolic links followed", PACKAGE, "    if path.is_symlink():", "    if False:", T_PACKAGE),
    m("package: '..' allowed in a member name", PACKAGE, '_UNSAFE_PART = re.compile(r"^\\.{1,2}$|',
      '_UNSAFE_PART = re.compile(r"^\\.$|', T_PACKAGE),
    m("package: server-only files packed", PACKAGE,
      "            if not path.is_file() or path.name in SERVER_ONLY:", "            if not path.is_file():", T_PACKAGE),
    # --- check: every mistake in one run, nothing that follows from another (issue 30) -----------------------------
    m("yamlrepair: only the first syntax mistake of a file told", "calcguide/content/yamlrepair.py",
      "    for _ in range(MAX_PARSES):", "    for _ in range(1):", "tests/test_every_mistake.py"),
    m("yamlrepair: a mistake at a line already mended told again", "calcguide/content/yamlrepair.py",
      "        if index not in mended:\n            mistakes.append(problem)",
      "        if True:\n            mistakes.append(problem)", "tests/test_every_mistake.py"),
    m("messages: a misspelt field also told as a missing one", "calcguide/content/messages.py",
      'if problem["type"] == "missing" and problem["loc"] in misspelt.values():',
      'if problem["type"] == "missing" and problem["loc"] in misspelt.values() and False:',
      "tests/test_every_mistake.py"),
)


@dataclass
class Outcome:
    mutation: Mutation
    result: str  # killed, survived, stale, error
    detail: str = ""
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)


def scratch_copy(target: Path) -> Path:
    """The project without its generated folders; the installed tools (.venv, node_modules) are linked."""
    shutil.copytree(PROJECT, target, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "site", "dist", "build", "__pycache__", ".pytest_cache", ".hypothesis"))
    for shared in (".venv", "node_modules"):
        if (PROJECT / shared).exists():
            (target / shared).symlink_to(PROJECT / shared)
    return target


def applies(mutation: Mutation, root: Path) -> str | None:
    """Why the mutation cannot be applied to the code under root, or None."""
    path = root / mutation.file
    if not path.is_file():
        return f"no file {mutation.file}"
    count = path.read_text(encoding="utf-8").count(mutation.original)
    return None if count == 1 else f"the original text occurs {count} times in {mutation.file} (expected once)"


def run_one(mutation: Mutation, root: Path, every_failure: bool = False) -> Outcome:
    if problem := applies(mutation, root):
        return Outcome(mutation, "stale", problem)
    path = root / mutation.file
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace(mutation.original, mutation.mutated), encoding="utf-8")
    start = time.monotonic()
    try:
        stop = [] if every_failure else ["-x"]  # the first failure is enough to kill it
        done = subprocess.run([sys.executable, "-m", "pytest", *mutation.tests, "-m", mutation.markers, *stop, "-q",
                               "-p", "no:cacheprovider", "-p", "no:randomly", "-n", "0", "-rf"],
                              cwd=root, capture_output=True, text=True)
    finally:
        path.write_text(source, encoding="utf-8")
        shutil.rmtree(root / "build", ignore_errors=True)
    failed = re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", done.stdout, re.MULTILINE)
    seconds = time.monotonic() - start
    if done.returncode == 0:
        return Outcome(mutation, "survived", mutation.equivalent, seconds)
    if done.returncode == 1 or (done.returncode == 2 and failed):
        return Outcome(mutation, "killed", failed[0] if failed else "", seconds, failed)
    tail = done.stdout.strip().splitlines()[-1:] or done.stderr.strip().splitlines()[-1:]
    return Outcome(mutation, "error", f"pytest exit {done.returncode}: {' '.join(tail)}", seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="run the mutations whose name or file contains this text")
    parser.add_argument("--list", action="store_true", help="check that every mutation applies; run nothing")
    parser.add_argument("--every-failure", action="store_true",
                        help="run all the guarding tests of each mutation and name every one that fails")
    args = parser.parse_args(argv)
    chosen = [mutation for mutation in MUTATIONS
              if not args.only or args.only in mutation.name or args.only in mutation.file]
    if args.list:
        stale = [(mutation, problem) for mutation in chosen if (problem := applies(mutation, PROJECT))]
        for mutation, problem in stale:
            print(f"stale: {mutation.name}: {problem}")
        print(f"{len(chosen)} mutations, {len(stale)} stale")
        return 1 if stale else 0
    # Stopped with `kill`: unwind as with Ctrl-C, so that the running pytest is stopped and the scratch copy removed.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(143))
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:
        root = scratch_copy(Path(scratch) / "project")
        for number, mutation in enumerate(chosen, start=1):
            outcome = run_one(mutation, root, args.every_failure)
            outcomes.append(outcome)
            detail = "\n      ".join(outcome.failed if args.every_failure and outcome.failed else [outcome.detail])
            print(f"[{number}/{len(chosen)}] {outcome.result:8} {outcome.seconds:5.0f} s  {mutation.name}"
                  + (f"\n      {detail}" if detail else ""), flush=True)
    killed = sum(outcome.result == "killed" for outcome in outcomes)
    survivors = [outcome for outcome in outcomes if outcome.result == "survived" and not outcome.mutation.equivalent]
    equivalent = [outcome for outcome in outcomes if outcome.result == "survived" and outcome.mutation.equivalent]
    broken = [outcome for outcome in outcomes if outcome.result in ("stale", "error")]
    print(f"\n{len(outcomes)} mutations: {killed} killed, {len(survivors)} survived, "
          f"{len(equivalent)} equivalent, {len(broken)} stale or in error")
    for outcome in survivors:
        print(f"SURVIVED {outcome.mutation.name} ({outcome.mutation.file}): no test of "
              f"{' '.join(outcome.mutation.tests)} fails on it")
    for outcome in broken:
        print(f"{outcome.result.upper()} {outcome.mutation.name}: {outcome.detail}")
    return 1 if survivors or broken else 0


if __name__ == "__main__":
    sys.exit(main())
