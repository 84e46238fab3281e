"""Comparison, smoothing, explanation and problems panels, each in its own module.

Each panel reads the document's results and redraws when they change; none
computes anything the core does not already give. The names stay importable from here.
"""

from .comparison_panel import ComparisonPanel, comparison_rows, comparison_summary
from .explain_panel import NO_SELECTION, ExplainPanel
from .panel_parts import CHART_DELAY_MS, add_choice, chart_timer
from .problems_panel import ProblemsPanel
from .smoothing_panel import SmoothingPanel

__all__ = ["CHART_DELAY_MS", "NO_SELECTION", "ComparisonPanel", "ExplainPanel", "ProblemsPanel",
           "SmoothingPanel", "add_choice", "chart_timer", "comparison_rows", "comparison_summary"]
