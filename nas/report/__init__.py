"""Study reports: pandas tables, plotly figures, a self-contained HTML file, and the same
figures and per-trial notes attached to the study for optuna-dashboard."""

from nas.report.build import Report, report

__all__ = ["Report", "report"]
