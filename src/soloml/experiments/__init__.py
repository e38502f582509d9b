"""Prove impact: design an A/B test, assign units deterministically, analyse the result in business words."""

from soloml.experiments.analysis import ExperimentResult, analyze_experiment
from soloml.experiments.assignment import assign, assign_units, log_exposures
from soloml.experiments.design import Design, design_conversion, design_mean
from soloml.experiments.spec import ExperimentSpec, find_experiment, load_experiment

__all__ = [
    "Design",
    "ExperimentResult",
    "ExperimentSpec",
    "analyze_experiment",
    "assign",
    "assign_units",
    "design_conversion",
    "design_mean",
    "find_experiment",
    "load_experiment",
    "log_exposures",
]
