# Front door. `make site` builds everything; `make test` runs every test. Both install what they need first,
# on a fresh Debian machine with python3 and root (system packages with apt, Python packages in .venv,
# browser files from npm), and skip what is already installed and up to date.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1
# Never let Playwright fetch a browser of its own: it drives Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: site test test-fast mutants serve check bench clean system-deps test-system-deps

site: $(VENV)/.site-deps node_modules/.site-installed system-deps
	$(PY) build.py

check: $(VENV)/.site-deps
	$(PY) build.py check

serve: $(VENV)/.site-deps node_modules/.site-installed
	$(PY) build.py serve

# One pytest-xdist worker per core; the tests of a module stay on one worker, so that its fixtures (a served site,
# a search run, the benchmark's smoke run) are made once. The longest modules start first (LONGEST_FIRST in
# tests/conftest.py), in the order --no-loadscope-reorder keeps.
PARALLEL := --dist loadscope --no-loadscope-reorder
# One worker per core for `make test` too: a third worker was tried (2026-12-06) to fill the cores while the others
# wait on Chromium and servers, and a fresh clone's suite took 6 min 43 s with three against 5 min 56 s with two
# (1 225 tests, machine otherwise idle): the third worker's browsers and builds cost more than the waits it filled.

test: $(VENV)/.test-deps node_modules/.installed system-deps test-system-deps
	$(PY) -m pytest -n auto $(PARALLEL)

# The tier to run while editing: no browser, no second build (the session builds the sites once, without the
# PDF handouts); under a minute on two cores.
test-fast: $(VENV)/.test-deps node_modules/.installed
	$(PY) -m pytest -n auto $(PARALLEL) -m "not browser and not slow and not checker"

# The project's own mutation testing (tests/mutants.py): each listed regression must make a test fail. Not in CI
# (it runs the guarding tests once per mutation); README shows its last figure.
mutants: $(VENV)/.test-deps node_modules/.installed
	$(PY) tests/mutants.py

bench: $(VENV)/.test-deps node_modules/.installed system-deps
	$(PY) bench/run.py

clean:
	rm -rf site dist build

# --- installation ------------------------------------------------------------------------------------------

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || { $(APT_INSTALL) python3-venv && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }

# Reinstalled whenever a requirements file changes (the stamp is older than it).
$(VENV)/.site-deps: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-test.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@ $(VENV)/.site-deps

# The site needs only the vendored browser files (`dependencies`); the tests also need the checkers they run
# (`devDependencies`: axe-core, the Nu HTML Checker, Lighthouse). Either install satisfies the site.
node_modules/.site-installed: package.json package-lock.json
	command -v npm >/dev/null || { $(APT_UPDATE) && $(APT_INSTALL) nodejs npm; }
	npm ci --no-audit --no-fund --ignore-scripts --omit=dev
	touch $@

node_modules/.installed: package.json package-lock.json
	command -v npm >/dev/null || { $(APT_UPDATE) && $(APT_INSTALL) nodejs npm; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@ node_modules/.site-installed

# Machines that install updates in the background hold the package manager's lock for minutes: wait for it (up to
# ten minutes) instead of failing with "Could not get lock /var/lib/dpkg/lock-frontend". Every apt-get of this
# file goes through these two (tests/test_makefile.py checks it).
APT_WAIT    := -o DPkg::Lock::Timeout=600
APT_UPDATE  := apt-get $(APT_WAIT) update -qq
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get $(APT_WAIT) install -y -qq --no-install-recommends

# Chromium prints the PDF handouts; fonts so that printed text is embedded and readable.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core fontconfig"; \
	fc-list 2>/dev/null | grep -qi "liberation sans" || missing="$$missing fonts-liberation fontconfig"; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(APT_UPDATE) && $(APT_INSTALL) $$missing; fi

# The tests also turn PDFs into images (poppler), read the handouts' QR codes (zbar), serve the site with nginx,
# run the Nu HTML Checker (Java) and read the BibTeX export with biber (its tool mode: Perl, no TeX; about 17 s).
test-system-deps:
	@missing=""; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v biber >/dev/null || missing="$$missing biber"; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(APT_UPDATE) && $(APT_INSTALL) $$missing; fi
