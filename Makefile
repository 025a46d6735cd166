# Interface des évaluateurs. `make help` liste les cibles.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
# Python's UTF-8 mode for every process of the project, whatever the locale (LC_ALL=C
# with an accented project path would otherwise stop Python before it starts).
export PYTHONUTF8 := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe

.PHONY: help installer construire donnees valider rapports gabarits relances lab tout tests lint \
        verrou nettoyer controle-navigateur controle-annee-complete

help: ## Affiche cette aide
	@echo "Cibles disponibles :"
	@grep -E '^[a-z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-20s %s\n", $$1, $$2}'

# Every package is installed at the version of requirements.lock (the transitive ones
# too, with their hashes), then the toolkit itself without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus est requis (trouvé : " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

installer: $(STAMP) ## Crée l'environnement .venv et installe la boîte à outils (idempotent)

# Targets carry the names of the commands they run (make construire: evalqpv construire).
construire: $(STAMP) ## Valide data/raw/ et construit le stock data/processed/ (evalqpv construire)
	$(BIN)/evalqpv construire

donnees: # former name of construire, still accepted
	@echo "Note : « make donnees » s'appelle désormais « make construire » : l'ancien nom est encore accepté." >&2
	@$(MAKE) --no-print-directory construire

valider: $(STAMP) ## Valide data/raw/ et écrit seulement data/processed/validation.md (le stock reste tel quel)
	$(BIN)/evalqpv valider

# ANNEE, TERRITOIRE, RAPPORT... come from the user: they reach the commands as environment
# variables, always quoted by the shell, never pasted into the command line by make
# (TERRITOIRE='QP092005; touch X' is a bad quarter code, not a second command). Each is
# the name of the command's option (RAPPORT= is --rapport); AXE= is RAPPORT='s former name.
ANNEE ?=
TERRITOIRE ?=
RAPPORT ?=
AXE ?=
PERIMETRE ?=
PLANIFICATEUR ?=
DELAI ?=
TABLEAU_DE_BORD ?=
LAB_OPTIONS ?=
export ANNEE TERRITOIRE RAPPORT AXE PERIMETRE PLANIFICATEUR DELAI TABLEAU_DE_BORD LAB_OPTIONS
OPTIONS = options=(); \
	if [ -n "$$ANNEE" ]; then options+=(--annee "$$ANNEE"); fi; \
	if [ -n "$$TERRITOIRE" ]; then options+=(--territoire "$$TERRITOIRE"); fi
OPTIONS_RAPPORTS = if [ -n "$$AXE" ]; then echo "Note : « AXE= » s'appelle désormais « RAPPORT= » : l'ancien nom est encore accepté." >&2; fi; \
	set -f; for rapport in $$RAPPORT $$AXE; do options+=(--rapport "$$rapport"); done; set +f
OPTIONS_LOT = if [ -n "$$PERIMETRE" ]; then options+=(--perimetre "$$PERIMETRE"); fi; \
	if [ -n "$$PLANIFICATEUR" ]; then options+=(--planificateur "$$PLANIFICATEUR"); fi; \
	if [ -n "$$DELAI" ]; then options+=(--delai "$$DELAI"); fi; \
	if [ -n "$$TABLEAU_DE_BORD" ]; then options+=(--tableau-de-bord); fi

rapports: $(STAMP) ## Met le stock à jour et produit les rapports HTML (ANNEE=, TERRITOIRE=, RAPPORT=, PERIMETRE=92|R11|FRANCE, PLANIFICATEUR=, DELAI=, TABLEAU_DE_BORD=oui facultatifs)
	@$(OPTIONS); $(OPTIONS_RAPPORTS); $(OPTIONS_LOT); set -x; $(BIN)/evalqpv rapports "$${options[@]}"

gabarits: $(STAMP) ## Écrit un classeur de collecte par partenaire dans collecte/<annee>/gabarits/ (ANNEE= obligatoire, TERRITOIRE= facultatif)
	@test -n "$$ANNEE" || (echo "Précisez l'année : make gabarits ANNEE=2025" && exit 2)
	@$(OPTIONS); set -x; $(BIN)/evalqpv gabarits "$${options[@]}"

relances: $(STAMP) ## Écrit les relances à envoyer, un fichier par partenaire (ANNEE= obligatoire) dans collecte/<annee>/relances/
	@test -n "$$ANNEE" || (echo "Précisez l'année : make relances ANNEE=2025" && exit 2)
	@set -x; $(BIN)/evalqpv relances --annee "$$ANNEE"

# JupyterLab rooted at the project (data/, reports/ and notebooks/ in its file browser),
# on the exploration notebook. The report notebooks open read-only (evalqpv.lab): an
# analyst saves a copy, never the notebook a report is made from. As root (a container,
# a server) JupyterLab refuses to start without --allow-root: it is added, and said.
# LAB_OPTIONS='--port 8899 --no-browser' passes options to JupyterLab.
lab: $(STAMP) ## Ouvre JupyterLab sur le projet, notebooks/exploration.ipynb ouvert ; notebooks des rapports en lecture seule (LAB_OPTIONS= facultatif)
	@options=(--ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/notebooks/exploration.ipynb \
	  --ServerApp.contents_manager_class=evalqpv.lab.ReportNotebooksReadOnly); \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Lancé en root : JupyterLab démarre avec --allow-root (il refuse sinon de démarrer)." >&2; \
	  options+=(--allow-root); fi; \
	set -f; for option in $$LAB_OPTIONS; do options+=("$$option"); done; set +f; \
	set -x; $(BIN)/jupyter lab "$${options[@]}"

tout: rapports ## Installe tout et produit toutes les sorties (stock et rapports) sur les données livrées

tests: $(STAMP) ## Installe tout et lance les vérifications (ruff, mypy, pytest)
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP) ## Vérifie le style et les types du code (ruff, mypy)
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/mypy

# The reports opened in a real browser (lib/evalqpv/publish/browser.py). The check has its
# own environment, .navigateur/: Playwright and pypdf at the versions and hashes of
# tools/navigateur/requirements.txt, axe-core at the version of
# tools/navigateur/package-lock.json (npm; or AXE_CORE_JS=/chemin/axe.min.js). The browser
# is Debian's chromium (CHROMIUM=/chemin/du/navigateur for another one), which .ci/run
# installs when it runs as root; Playwright's own browser download is never used.
NAVIGATEUR := .navigateur
NAV_STAMP := $(NAVIGATEUR)/.installe
$(NAV_STAMP): tools/navigateur/requirements.txt tools/navigateur/package.json tools/navigateur/package-lock.json
	@test -x $(NAVIGATEUR)/bin/python || $(PYTHON) -m venv $(NAVIGATEUR)
	$(NAVIGATEUR)/bin/python -m pip install --quiet --require-hashes -r tools/navigateur/requirements.txt
	@if [ -z "$$AXE_CORE_JS" ]; then \
	  command -v npm >/dev/null || { echo "npm est introuvable : installez Node.js et npm, ou indiquez axe.min.js avec AXE_CORE_JS=" >&2; exit 2; }; \
	  cp tools/navigateur/package.json tools/navigateur/package-lock.json $(NAVIGATEUR)/ && \
	  (cd $(NAVIGATEUR) && npm ci --no-audit --no-fund --silent); fi
	@touch $@

controle-navigateur: rapports $(NAV_STAMP) ## Ouvre les rapports dans Chromium (accessibilité, 390 px, hors ligne, impression) ; ANNEE=, TERRITOIRE=
	PYTHONPATH=lib $(NAVIGATEUR)/bin/python -m evalqpv.publish.browser $(if $(ANNEE),--annee $(ANNEE)) $(if $(TERRITOIRE),--territoire $(TERRITOIRE))

# A full year of partners' returns (tests/fixtures/annee_complete/, see
# tools/remplir_retours.py) in a temporary project, build/annee-complete/: the shipped
# configuration, notebooks and data/raw/ plus the fixture's returns; its reports, then the
# browser check of them (written to build/annee-complete/reports/controle-2025/).
ANNEE_COMPLETE := build/annee-complete
controle-annee-complete: $(STAMP) $(NAV_STAMP) ## Rapports d'une année où tous les partenaires ont répondu (jeu de test), puis contrôle dans Chromium
	rm -rf $(ANNEE_COMPLETE) && mkdir -p $(ANNEE_COMPLETE)/data
	cp -r config notebooks $(ANNEE_COMPLETE)/
	cp -r data/raw $(ANNEE_COMPLETE)/data/raw
	cp -r tests/fixtures/annee_complete/partenaires/2025 $(ANNEE_COMPLETE)/data/raw/partenaires/
	$(BIN)/evalqpv --racine $(ANNEE_COMPLETE) rapports --annee 2025
	PYTHONPATH=lib $(NAVIGATEUR)/bin/python -m evalqpv.publish.browser --racine $(ANNEE_COMPLETE) --annee 2025

verrou: ## Recalcule requirements.lock après un changement de version dans pyproject.toml
	@test -x .outils/bin/uv || ($(PYTHON) -m venv .outils && .outils/bin/python -m pip install --quiet uv==0.13.9)
	.outils/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --generate-hashes --no-header \
	  --index-url https://pypi.org/simple -o requirements.lock

nettoyer: ## Supprime les sorties dérivées (data/processed, reports et le contrôle du navigateur, collecte, build/annee-complete), jamais data/raw
	find data/processed -mindepth 1 ! -name README.md -delete
	rm -rf data/.processed.*
	find reports -mindepth 1 ! -name README.md -delete
	rm -rf collecte
	rm -rf $(ANNEE_COMPLETE)
