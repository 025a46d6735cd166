# Interface des évaluateurs. `make help` liste les cibles.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe

.PHONY: help installer donnees valider rapports gabarits lab tout tests lint verrou nettoyer

help: ## Affiche cette aide
	@echo "Cibles disponibles :"
	@grep -E '^[a-z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-12s %s\n", $$1, $$2}'

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

donnees: $(STAMP) ## Valide data/raw/ et construit data/processed/observations.csv
	$(BIN)/evalqpv construire

valider: $(STAMP) ## Valide data/raw/ sans rien écrire dans data/processed/
	$(BIN)/evalqpv valider

ANNEE ?=
TERRITOIRE ?=
AXE ?=
PERIMETRE ?=
PLANIFICATEUR ?=
DELAI ?=
RAPPORTS_OPTIONS := $(if $(ANNEE),--annee $(ANNEE)) $(if $(TERRITOIRE),--territoire $(TERRITOIRE)) $(foreach a,$(AXE),--axe $(a))
RAPPORTS_OPTIONS += $(if $(PERIMETRE),--perimetre '$(PERIMETRE)') $(if $(PLANIFICATEUR),--planificateur '$(PLANIFICATEUR)') $(if $(DELAI),--delai '$(DELAI)')

rapports: $(STAMP) ## Met le stock à jour et produit les rapports HTML (ANNEE=, TERRITOIRE=, AXE=, PERIMETRE=92|R11|FRANCE, PLANIFICATEUR=, DELAI= facultatifs)
	$(BIN)/evalqpv rapports $(RAPPORTS_OPTIONS)

gabarits: $(STAMP) ## Écrit un classeur de collecte par partenaire (ANNEE= obligatoire, TERRITOIRE= facultatif)
	@test -n "$(ANNEE)" || (echo "Précisez l'année : make gabarits ANNEE=2025" && exit 2)
	$(BIN)/evalqpv gabarits --annee $(ANNEE) $(if $(TERRITOIRE),--territoire $(TERRITOIRE))

lab: $(STAMP) ## Ouvre JupyterLab dans le même environnement (notebooks/exploration.ipynb)
	$(BIN)/jupyter lab notebooks/exploration.ipynb

tout: rapports ## Installe tout et produit toutes les sorties (stock et rapports) sur les données livrées

tests: $(STAMP) ## Installe tout et lance les vérifications (ruff, mypy, pytest)
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP) ## Vérifie le style et les types du code (ruff, mypy)
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/mypy

verrou: ## Recalcule requirements.lock après un changement de version dans pyproject.toml
	@test -x .outils/bin/uv || ($(PYTHON) -m venv .outils && .outils/bin/python -m pip install --quiet uv==0.13.9)
	.outils/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --generate-hashes --no-header \
	  --index-url https://pypi.org/simple -o requirements.lock

nettoyer: ## Supprime les sorties dérivées (data/processed, reports), jamais data/raw
	find data/processed -mindepth 1 ! -name README.md -delete
	find reports -mindepth 1 ! -name README.md -delete
