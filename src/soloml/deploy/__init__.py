"""Deploy: batch scoring with write-back, and the real-time prediction service."""

from soloml.deploy.batch import ScoreResult, score_frame, score_project
from soloml.deploy.runner import running, serve
from soloml.deploy.schedule import Schedule, schedule
from soloml.deploy.service import create_app

__all__ = ["Schedule", "ScoreResult", "create_app", "running", "schedule", "score_frame", "score_project", "serve"]
