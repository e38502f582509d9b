"""The churn project the deploy and engine tests train and score: a table recipe over raw.accounts, by row."""

from __future__ import annotations

from soloml.projects.spec import ProjectSpec


def churn_spec() -> ProjectSpec:
    """churn from raw.accounts.churned, judged by ROC AUC; 50 calls at 12 each, a saved account worth 180."""
    return ProjectSpec.model_validate(
        {
            "name": "churn",
            "question": "Which accounts will cancel?",
            "decision": "Call the accounts most likely to cancel.",
            "stakeholder": "CEO",
            "owner": "data",
            "recipe": "table",
            "entity": "row",
            "source_table": "raw.accounts",
            "label": {"definition": "account canceled", "target": "churned"},
            "metric": "roc_auc",
            "business": {"value_per_success": 180, "cost_per_action": 12, "capacity": 50},
            "done": {"metric": "roc_auc", "value": 0.6},
        }
    )
