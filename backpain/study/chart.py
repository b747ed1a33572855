"""The pain-over-time chart: both groups' mean pain with SD bars at each timepoint, from the study file.

`render_pain_chart()` draws it with matplotlib (Agg backend, no display needed) to a PNG, by
default build/charts/pain_over_time.png. It redraws only when the study file (or this drawing
recipe) changed: a sidecar file `<png>.sha256` records what the PNG was drawn from. The result
carries a text alternative stating the same figures, for screen readers and `rasa shell`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from backpain.paths import PROJECT_ROOT
from backpain.study.answer import EN_DASH, Answer, AnswerBuilder, capitalise, plain_decimals
from backpain.study.loading import get_study
from backpain.study.model import Study

DEFAULT_CHART_PATH = PROJECT_ROOT / "build" / "charts" / "pain_over_time.png"
# Bump when the drawing changes, so existing PNGs are redrawn.
CHART_RECIPE_VERSION = "1"
# Distinguishable without colour too: each group also has its own marker and line style.
_STYLES = [
    {"color": "#0072B2", "marker": "o", "linestyle": "-"},
    {"color": "#D55E00", "marker": "s", "linestyle": "--"},
]


@dataclass(frozen=True)
class PainChart:
    path: Path
    alt_text: str
    regenerated: bool


def describe_pain_chart(b: AnswerBuilder) -> None:
    """Write the chart's text alternative into an answer: title line, one line per group, source.

    A patient gets the averages in round figures and no SDs (issue 16: the description was
    full of them); a trainee gets every mean with its SD, as the chart draws them.
    """
    study = b.study
    outcome = study.outcomes[study.results_outcome]
    scale = outcome.scale
    low = high = ""
    if scale:
        low = b.exact(scale.min, f"{scale.path}.min", scale.sources)
        high = b.exact(scale.max, f"{scale.path}.max", scale.sources)
    if b.plain:
        scale_text = f", on a scale from {low} to {high}" if scale else ""
        b.line(f"Chart: the average {outcome.plain_label} in each group at each visit{scale_text}.")
        means = [cell.mean for row in study.pain_results.values() for cell in row.values()]
        decimals = plain_decimals(*means)
    else:
        scale_text = f" ({low}{EN_DASH}{high})" if scale else ""
        b.line(
            f"Chart: average {outcome.plain_label}{scale_text} over time in each group, mean with standard deviation (SD)."
        )
    sources = []
    for group_id, row in study.pain_results.items():
        group = study.groups[group_id]
        cells = []
        for timepoint_id, cell in row.items():
            if b.plain:
                value = b.about(cell.mean, f"{cell.path}.mean", cell.sources, decimals)
            else:
                mean = b.exact(cell.mean, f"{cell.path}.mean", cell.sources)
                sd = b.exact(cell.sd, f"{cell.path}.sd", cell.sources)
                value = f"{mean} (SD {sd})"
            cells.append(f"{study.timepoints[timepoint_id].label} {value}")
            sources.extend(cell.sources)
        if b.plain:
            b.line(f"• {capitalise(group.label)}: {', '.join(cells)}")
        else:
            b.line(f"• {group.label} ({group.id}): {'; '.join(cells)}")
    b.line(f"Figures {b.cite(sources)}{'; scale ' + b.cite(scale.sources) if scale else ''}.")


def chart_alt_text(study: Study) -> str:
    b = AnswerBuilder(study, "chart", "trainee")
    describe_pain_chart(b)
    return "\n".join(b.lines)


def _fingerprint(study: Study) -> str:
    return hashlib.sha256(f"{study.sha256}:{CHART_RECIPE_VERSION}".encode()).hexdigest()


def render_pain_chart(
    study: Optional[Study] = None, output_path: Union[str, os.PathLike, None] = None
) -> PainChart:
    """Draw the chart if it is missing or out of date; return its path and text alternative."""
    study = study or get_study()
    path = Path(output_path) if output_path is not None else DEFAULT_CHART_PATH
    sidecar = path.with_name(path.name + ".sha256")
    fingerprint = _fingerprint(study)
    up_to_date = (
        path.exists()
        and sidecar.exists()
        and sidecar.read_text(encoding="utf-8").strip() == fingerprint
    )
    if not up_to_date:
        _draw(study, path)
        sidecar.write_text(fingerprint + "\n", encoding="utf-8")
    return PainChart(path=path, alt_text=chart_alt_text(study), regenerated=not up_to_date)


def _draw(study: Study, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outcome = study.outcomes[study.results_outcome]
    timepoints = list(study.timepoints.values())
    weeks = [t.week for t in timepoints]
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=120)
    offset = 0.25  # keeps the two groups' error bars from hiding each other
    for index, (group_id, row) in enumerate(study.pain_results.items()):
        shift = (index - (len(study.pain_results) - 1) / 2) * offset
        axes.errorbar(
            [w + shift for w in weeks],
            [row[t.id].mean for t in timepoints],
            yerr=[row[t.id].sd for t in timepoints],
            label=f"{study.groups[group_id].label} ({group_id})",
            capsize=4,
            linewidth=2,
            **_STYLES[index % len(_STYLES)],
        )
    axes.set_xticks(weeks)
    axes.set_xticklabels([t.label.replace(" (", "\n(") for t in timepoints], fontsize=8)
    axes.set_xlabel("time from the start of the trial")
    if outcome.scale:
        axes.set_ylim(outcome.scale.min, outcome.scale.max)
        axes.set_ylabel(
            f"{outcome.label} ({outcome.scale.min:g}{EN_DASH}{outcome.scale.max:g}), mean ± SD"
        )
    sources = sorted(
        {k for row in study.pain_results.values() for cell in row.values() for k in cell.sources}
    )
    axes.set_title(f"{outcome.label[:1].upper()}{outcome.label[1:]} over time", fontsize=11)
    figure.text(
        0.01, 0.01, "Source: " + "; ".join(study.sources[k].label for k in sources), fontsize=7
    )
    axes.legend(fontsize=8, loc="upper right")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    figure.savefig(temporary, format="png")
    plt.close(figure)
    os.replace(temporary, path)  # never leaves a half-written PNG behind


def answer_chart(
    audience: Optional[str] = None, study: Optional[Study] = None, output_path=None, **_ignored
) -> Answer:
    """The pain-over-time chart (PNG on disk) with a text alternative stating the same figures:
    exact with SDs for a trainee, rounded averages for a patient (issue 16)."""
    study = study or get_study()
    chart = render_pain_chart(study, output_path)
    b = AnswerBuilder(study, "chart", audience)
    describe_pain_chart(b)
    return b.build(
        {"outcome": study.results_outcome, "group": None, "timepoint": None},
        image_path=str(chart.path),
    )
