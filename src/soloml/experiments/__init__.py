"""Prove impact: design an A/B test, assign units deterministically, analyse the result in business words."""

from soloml.experiments.analysis import ExperimentResult, analyze_experiment
from soloml.experiments.assignment import assign, assign_units, log_exposures
from soloml.experiments.counts import analyze_counts, parse_counts
from soloml.experiments.design import Design, design_conversion, design_mean
from soloml.experiments.imported import analyze_from
from soloml.experiments.paragraph import plain_paragraph
from soloml.experiments.spec import ExperimentSpec, find_experiment, load_experiment

__all__ = [
    "Design",
    "ExperimentResult",
    "ExperimentSpec",
    "analyze_counts",
    "analyze_experiment",
    "analyze_from",
    "assign",
    "assign_units",
    "design_conversion",
    "design_mean",
    "find_experiment",
    "load_experiment",
    "log_exposures",
    "parse_counts",
    "plain_paragraph",
]
