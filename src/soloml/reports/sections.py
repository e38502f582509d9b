"""The report's sections that come from the contract and the model's metadata: plain numbers plus sentences.

Every sentence follows docs/wording.md: labels instead of codes, money in the contract's currency,
shares bounded, dates as YYYY-MM-DD. A number the model never measured is said as missing, not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from soloml.projects.spec import ProjectSpec
from soloml.tracker import words as w

ENTITY_PLURAL = {"customer": "customers", "contact": "contacts", "row": "rows", "series": "series"}
ALTERNATIVES = {
    "prior": "picking at random (no model)",
    "today_rule": "today's rule",
    "random": "picking at random",
    "median": "always guessing the middle value",
}
PRIOR_BY_TASK = {
    "regression": "always guessing the average (no model)",
    "multiclass": "always guessing the most common answer (no model)",
}
RECIPE_WORDS = {
    "churn": "who is about to leave",
    "buy_again": "who will buy again",
    "conversion": "which leads will convert",
    "spend": "how much each customer will spend",
    "forecast": "what the coming periods will bring",
    "table": "an outcome in a table",
}


def model_metadata(models_dir: Path, project: str) -> tuple[dict[str, Any], str | None, dict[str, str]]:
    """The metadata of the version the report is about (production, else the latest), its version, and the aliases."""
    from soloml.registry.aliases import read_aliases
    from soloml.registry.store import read_metadata, versions

    found = versions(models_dir, project)
    if not found:
        return {}, None, {}
    aliases = {str(k): str(v) for k, v in read_aliases(models_dir, project).items() if isinstance(v, str)}
    version = aliases.get("production") if aliases.get("production") in found else found[-1]
    return read_metadata(models_dir, project, version), version, aliases


def plural_of(spec: ProjectSpec) -> str:
    return ENTITY_PLURAL.get(spec.entity, "rows")


def question_section(spec: ProjectSpec) -> dict[str, Any]:
    lines = [
        f"The question: {spec.question.rstrip()}",
        f"What it decides: {_sentence(spec.decision)}",
        f"Asked by {spec.stakeholder}; built by {spec.owner}.",
    ]
    lines.append(f"Due on {w.day(spec.deadline)}." if spec.deadline else "No due date was agreed.")
    return {
        "question": spec.question,
        "decision": spec.decision,
        "stakeholder": spec.stakeholder,
        "owner": spec.owner,
        "deadline": spec.deadline,
        "predicts": RECIPE_WORDS.get(spec.recipe, spec.recipe),
        "lines": lines,
    }


def contract_section(spec: ProjectSpec) -> dict[str, Any]:
    from soloml.modeling.metrics import HIGHER_IS_BETTER

    b, d = spec.business, spec.done
    forecast = spec.recipe == "forecast"
    higher = False if forecast else HIGHER_IS_BETTER.get(d.metric, True)
    agreed = (
        b.value_per_success is not None and not forecast
    )  # a forecast's business block is not a value per right call
    who = plural_of(spec)
    if forecast:
        from soloml.forecasting.judge import fmt
        from soloml.forecasting.metrics import METRIC_WORDS

        lines = [
            f"Done when the forecasts' {METRIC_WORDS.get(d.metric, 'error')} over past periods is at most {fmt(d.value, d.metric)}, "
            "and clearly better than simply repeating the same period last year."
        ]
    else:
        lines = [
            f"Done when the {w.metric_label(d.metric)} is {w.done_line(d.metric, d.value, higher)}"
            + (
                f" and at least {w.share(d.min_lift_over_rule)} better than today's rule."
                if d.min_lift_over_rule
                else "."
            )
        ]
        lines.append(
            f"We can act on {w.plural(b.capacity, who[:-1] if who.endswith('s') else who, who)} {w.per_cycle(b.cycle)}."
        )
    if agreed:
        lines.append(
            f"A right call is worth {w.money(float(b.value_per_success or 0), b.currency)}; each action costs "
            f"{w.money(b.cost_per_action, b.currency)}; about {w.share(b.success_rate)} of the right calls turn out as hoped."
        )
    elif not forecast:
        lines.append("What a right call is worth was never agreed, so this report shows no money figures.")
    if spec.today_rule:
        lines.append(f"Today's rule: {_sentence(spec.today_rule.description)}")
    return {
        "metric": d.metric,
        "metric_label": w.metric_label(d.metric),
        "done_value": d.value,
        "higher_is_better": higher,
        "min_lift_over_rule": d.min_lift_over_rule,
        "value_agreed": agreed,
        **b.model_dump(),  # value_per_success, cost_per_action, capacity, cycle, success_rate, currency
        "today_rule": spec.today_rule.description if spec.today_rule else None,
        "lines": lines,
    }


def model_section(
    spec: ProjectSpec, meta: Mapping[str, Any], version: str | None, forecast: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The model against today's rule and doing nothing, per cycle, in the business's units."""
    if forecast is not None:
        return {
            "trained": forecast.get("made", False),
            "version": None,
            "comparison": [],
            "lines": list(forecast.get("model_lines") or []),
        }
    if not meta:
        said = (
            f"Model {version} is saved but its description cannot be read (its metadata.json is missing or damaged); "
            "train it again to report on it."
            if version
            else "Not trained yet: no model has been saved for this project, so there is nothing to compare."
        )
        return {"trained": False, "version": version, "comparison": [], "lines": [said]}
    b = meta.get("business") or {}
    t = meta.get("training") or {}
    who = ENTITY_PLURAL.get(str(meta.get("entity") or spec.entity), "rows")
    cur = str(b.get("currency") or spec.business.currency)
    trained = str(meta.get("created_at") or "")[:10]
    lines = [
        f"Model {version}, trained on {trained} from {t.get('rows', 0):,} examples"
        + (f" ({t['first_cutoff']} to {t['last_cutoff']})." if t.get("first_cutoff") else ".")
    ]
    comparison: list[dict[str, Any]] = []
    if b.get("precision_at_capacity") is not None:
        cap = int(b.get("capacity") or spec.business.capacity)
        cycle = w.per_cycle(b.get("cycle"))
        agreed = bool(b.get("agreed", True))
        rule = b.get("today_rule") or {}
        ways = [("the model", b.get("precision_at_capacity"), b.get("expected_value"))]
        if rule:
            ways.append(
                (
                    f"today's rule ({rule.get('description')})",
                    rule.get("precision_at_capacity"),
                    rule.get("expected_value"),
                )
            )
        ways.append(("doing nothing", None, 0.0))
        for name, hit, value in ways:
            row = {
                "way": name,
                "hit_rate": hit,
                "hits": None if hit is None else hit * cap,
                "expected_value": value if agreed else None,
            }
            comparison.append(row)
            if hit is None:
                lines.append(
                    f"Doing nothing: no {who} contacted, nothing gained or spent"
                    + (f" ({w.money(0, cur)} {cycle})." if agreed else ".")
                )
                continue
            text = (
                f"{name[0].upper()}{name[1:]}: of the {cap:,} {who} it picks {cycle}, about {hit * cap:,.0f} "
                f"({w.share(hit, 1)}) are the right ones"
            )
            if agreed and value is not None:
                text += f", worth {_signed_money(value, cur)} {cycle} after the cost of acting"
            lines.append(text + ".")
        v = meta.get("validation") or {}
        if v.get("rows"):
            when = f" of the latest snapshot ({str(v['validation_cutoff'])[:10]})" if v.get("validation_cutoff") else ""
            lines.append(f"Judged on {int(v['rows']):,} {who}{when} that the model never saw while learning.")
    else:
        lines += _metric_lines(meta)
    return {
        "trained": True,
        "version": version,
        "trained_at": trained,
        "training_rows": t.get("rows"),
        "comparison": comparison,
        "currency": cur,
        "lines": lines,
    }


def _metric_lines(meta: Mapping[str, Any]) -> list[str]:
    """Regression and multiclass models: the done metric, the model against each baseline."""
    d = meta.get("verdict_detail") or {}
    metric = d.get("metric") or meta.get("metric")
    model = (meta.get("metrics") or {}).get(metric)
    out = []
    if model is not None:
        out.append(f"The model's {w.metric_label(metric)}: {w.metric_value(metric, model)}.")
    for name, values in (meta.get("baseline_metrics") or {}).items():
        if values.get(metric) is not None:
            way = _alternative(name, meta)
            out.append(f"{way[:1].upper()}{way[1:]}: {w.metric_value(metric, values[metric])}.")
    return out


def verdict_section(spec: ProjectSpec, meta: Mapping[str, Any], forecast: Mapping[str, Any] | None) -> dict[str, Any]:
    if forecast is not None:
        return {
            "code": forecast.get("verdict"),
            "words": forecast.get("verdict_words") or "not made yet",
            "lines": list(forecast.get("verdict_lines") or ["No forecast has been made yet, so there is no verdict."]),
        }
    if not meta:
        return {"code": None, "words": "not trained yet", "lines": ["No verdict yet: the model has not been trained."]}
    code = meta.get("verdict")
    d = meta.get("verdict_detail") or {}
    metric = d.get("metric")
    label = w.metric_label(metric)
    words = w.VERDICT_WORDS.get(str(code), "not judged")
    model, done, best = d.get("model_value"), d.get("done_value"), d.get("best_baseline_value")
    baseline = _alternative(str(d.get("best_baseline")), meta)
    lines = [
        f"Verdict: {words}. The model's {label} is {w.metric_value(metric, model)} against the done line of "
        f"{w.metric_value(metric, done)}; the best simple alternative, {baseline}, reaches {w.metric_value(metric, best)}."
    ]
    ci = d.get("difference_ci")
    if ci and None not in ci:
        low, high = _difference(metric, ci[0]), _difference(metric, ci[1])
        if low == high:
            lines.append(f"The model shows no edge over {baseline}: the 95% interval of the difference is {low}.")
        else:
            lines.append(f"The model's edge over {baseline}: between {low} and {high} (95% interval).")
    if code != "DONE":
        lines.append(
            "Until it is done, keep deciding the way you do today."
            if code == "NOT_WORTH_IT"
            else "Not ready to rely on yet: more data or better inputs are needed first."
        )
    return {
        "code": code,
        "words": words,
        "model_value": model,
        "done_value": done,
        "best_baseline": d.get("best_baseline"),
        "best_baseline_value": best,
        "difference_interval": ci,
        "lines": lines,
    }


def drivers_section(meta: Mapping[str, Any], forecast: Mapping[str, Any] | None, top: int = 5) -> dict[str, Any]:
    if forecast is not None:
        return {"features": [], "lines": list(forecast.get("driver_lines") or [])}
    found = sorted(
        (f for f in (meta.get("importance") or []) if f.get("gain_share")), key=lambda f: -float(f["gain_share"])
    )[:top]
    if not found:
        return {
            "features": [],
            "lines": [
                "Nothing to show yet: the model has not been trained."
                if not meta
                else "The model did not record what it leans on."
            ],
        }
    lines = [
        f"{_sentence(f.get('description') or 'an input').rstrip('.')}: {w.share(float(f['gain_share']))} of what the model leans on."
        for f in found
    ]
    return {
        "features": [{"description": f.get("description"), "share": f.get("gain_share")} for f in found],
        "lines": lines,
    }


def limitations_section(
    spec: ProjectSpec, meta: Mapping[str, Any], forecast: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The model card: what it was built for, what it saw, and what it must not be used for."""
    who = plural_of(spec)
    lines = [f"Built for one decision: {_sentence(spec.decision)}"]
    if spec.recipe == "forecast":
        lines.append(
            "It forecasts totals for the coming periods; it says nothing about single orders or single customers."
        )
    else:
        lines.append(f"It predicts '{spec.label.definition}', for {who} like the ones it learnt from.")
    t = meta.get("training") or {}
    if t.get("first_cutoff"):
        lines.append(
            f"It learnt from {t['first_cutoff']} to {t['last_cutoff']}; a change in prices, products or customers since "
            "then can make it wrong without warning, which is what the monitoring is for."
        )
    must_not = ["any decision other than the one above (it was judged only on that)"]
    if spec.recipe == "forecast":
        must_not += [
            "planning further ahead than the forecast reaches, or a single day, product or customer: it forecasts totals per period"
        ]
        level = spec.forecast.level if spec.forecast else 0.8
        lines.append(
            f"It is not a promise: the actual figure should fall outside the range about {w.share(1 - level)} of the time."
        )
    else:
        must_not += [
            f"judging a single person: a score ranks {who} for attention, it is not a fact about anyone",
            f"{who} with no history in the data (new ones): it has seen nothing about them",
        ]
    if meta and meta.get("verdict") != "DONE":
        must_not.insert(0, "acting on its own: it has not reached the done line")
    if not spec.business.value_per_success and spec.recipe != "forecast":
        lines.append("The money it makes or saves was never agreed, so no money figure here is a promise.")
    left = meta.get("left_out") or []
    if left:
        lines.append(
            f"{w.plural(len(left), 'column')} of the data were deliberately not learnt from (names, ids, or columns "
            "that would reveal the answer)."
        )
    lines += [f"Must not be used for {item}." for item in must_not]
    return {"must_not": must_not, "left_out": len(left), "lines": lines}


def _alternative(name: str, meta: Mapping[str, Any]) -> str:
    """A baseline by what it does: the prior of a regression guesses the average, of a binary model picks at random."""
    if name == "prior" and meta.get("task") in PRIOR_BY_TASK:
        return PRIOR_BY_TASK[str(meta["task"])]
    return ALTERNATIVES.get(name, "the best simple rule")


def _difference(metric: str | None, value: float) -> str:
    if metric in w.PERCENT_METRICS:
        points = round(value * 100, 1)
        return "0 points" if points == 0 else f"{points:+.1f} points"
    text = w.metric_value(metric, value)
    return text if text == "0" or text.startswith("-") else f"+{text}"


def _signed_money(amount: float, currency: str) -> str:
    if round(amount) == 0:
        return w.money(0, currency)
    return ("minus " if amount < 0 else "") + w.money(amount, currency)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
