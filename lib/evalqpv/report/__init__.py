"""Report sections: what a notebook shows, one call per section.

A notebook does `from evalqpv import report`, `ctx = report.prepare(annee, territoire,
"emploi")`, then calls the section functions below; each returns an `Html` fragment
written from the data (no figure is typed in a notebook or here).

Modules: `context` (what a report is about), `indicators` (series, statuses: pure
functions), `messages`, `followup`, `comparisons`, `portrait`, `methods_sections`,
`impact_sections`, `maps` (sections), `axis` (the sections every axis report shares,
one call from its notebook), `charts`, `html`, `wording` (presentation). No section
function bears the name of a module, so `report.<module>` is always the module (the
section drawing the comparison charts is `comparison_charts`).
"""

from __future__ import annotations

from ..vocabulary import REPORT_TITLES as REPORTS
from .analysis import axis_analysis
from .axis import axis_report
from .claims import contract_claims
from .committee import decision_table
from .comparisons import compare, comparison_charts
from .completeness import partner_completeness
from .context import ReportContext
from .decisions import decisions
from .followup import (
    all_statuses,
    axes_overview,
    commitments,
    coverage,
    milestones,
    missing,
    objectives,
    partners,
)
from .impact_position import position_summary
from .impact_sections import comparables, impact
from .loading import prepare
from .maps import location_map
from .messages import axis_verdicts, header, key_messages, territories_table
from .methods_sections import methods, revisions
from .partner import (
    check_partner,
    partner_commitments,
    partner_figures,
    partner_missing,
    partner_summary,
    partner_workbook,
)
from .portrait import section_i_tables, time_series_table

__all__ = [
    "REPORTS",
    "ReportContext",
    "all_statuses",
    "axes_overview",
    "axis_analysis",
    "axis_report",
    "decision_table",
    "decisions",
    "axis_verdicts",
    "coverage",
    "partners",
    "revisions",
    "check_partner",
    "partner_commitments",
    "partner_figures",
    "partner_missing",
    "partner_summary",
    "partner_workbook",
    "position_summary",
    "comparison_charts",
    "commitments",
    "comparables",
    "compare",
    "contract_claims",
    "header",
    "impact",
    "key_messages",
    "location_map",
    "methods",
    "milestones",
    "missing",
    "objectives",
    "partner_completeness",
    "prepare",
    "section_i_tables",
    "territories_table",
    "time_series_table",
]
