"""`soloml interview [NAME]`: questions about the decision, turned into a project spec and a plain-words contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from soloml.app.interview import ProjectWritten, write_interview
from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace
from soloml.projects.contract import spec_from_answers
from soloml.projects.questions import NOT_FOR_FORECAST, QUESTIONS, InterviewAnswers, load_answers, recipe_questions

NUMBERS: dict[str, type] = {
    "capacity": int,
    "horizon_days": int,
    "value_per_success": float,
    "cost_per_action": float,
    "success_rate": float,
    "acceptable_error": float,
    "plan_ahead": int,
    "miss_tolerance": float,
    "miss_cost": float,
}


def _ask(name: str) -> dict[str, Any]:
    answers: dict[str, Any] = {"name": name or typer.prompt("Project name (lower-case, e.g. churn)")}
    questions = list(QUESTIONS)
    i = 0
    while i < len(questions):
        key, text = questions[i]
        field = InterviewAnswers.model_fields[key]
        default = None if field.is_required() or field.default is None else field.default
        optional = (
            default is None and not field.is_required()
        )  # blank skips it; a number typed is read by InterviewAnswers
        value = typer.prompt(
            text,
            default="" if default is None else str(default),
            show_default=default is not None,
            type=str if optional else NUMBERS.get(key, str),
        )
        if value != "":
            answers[key] = value
        if key == "recipe":
            rest = [q for q in questions[i + 1 :] if str(value) != "forecast" or q[0] not in NOT_FOR_FORECAST]
            questions[i + 1 :] = [*recipe_questions(str(value)), *rest]
        i += 1
    return answers


def register(app: typer.Typer) -> None:
    @app.command("interview")
    def interview_cmd(
        name: Annotated[str | None, typer.Argument(help="Project name (written to projects/NAME.yaml).")] = None,
        answers_file: Annotated[
            Path | None, typer.Option("--answers", help="Answers YAML: run without questions.")
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace an existing project file.")] = False,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Agree what a model must achieve before touching data: the decision, capacity, value, cost and today's rule."""
        with handled():
            ws = workspace(ws_dir)
            if answers_file is not None:
                answers = load_answers(answers_file)
                if name:
                    answers["name"] = name
            else:
                answers = _ask(name or "")
                contract = spec_from_answers(answers)
                console.print("\n".join(contract.lines), markup=False)
                if not typer.confirm("Does the stakeholder agree? Write the project file?", default=True):
                    raise typer.Exit(1)
            result = write_interview(ws, answers, force=force)

            def render(r: ProjectWritten) -> None:
                if answers_file is not None:
                    console.print("\n".join(r.contract.lines), markup=False)
                console.print(
                    f"Wrote {r.path}. Next: `soloml features {r.contract.spec.name}` to build its training set.",
                    markup=False,
                )

            emit(result, as_json, render)
