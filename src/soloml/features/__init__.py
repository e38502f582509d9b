"""Point-in-time training sets: entity x cutoff -> features from [.., cutoff), label from [cutoff, cutoff + horizon)."""

from soloml.features.audit import AuditResult, audit_leakage
from soloml.features.build import build_scoring_frame, build_training_set
from soloml.features.trainingset import TrainingSet

__all__ = ["AuditResult", "TrainingSet", "audit_leakage", "build_scoring_frame", "build_training_set"]
