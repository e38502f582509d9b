"""Projects: the spec (requirements contract), the interview that writes it, and the recipes."""

from soloml.projects.contract import spec_from_answers
from soloml.projects.questions import InterviewAnswers
from soloml.projects.recipes.table import table_spec
from soloml.projects.spec import ProjectSpec, find_spec, load_spec, save_spec

__all__ = ["InterviewAnswers", "ProjectSpec", "find_spec", "load_spec", "save_spec", "spec_from_answers", "table_spec"]
