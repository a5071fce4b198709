"""Benchmark results and the table they are printed as."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One figure of ours beside the same figure for the raw baseline."""

    name: str
    ours: float
    baseline: float  # 0: no baseline (a figure of the whole platform), shown as "–"
    unit: str = "ev/s"
    target: float | None = None  # the lowest acceptable ratio
    note: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.unit == "ms"

    @property
    def ratio(self) -> float:
        """How close we come to the baseline: 1.0 is as good, 0.5 half as good."""
        if self.lower_is_better:
            return self.baseline / self.ours if self.ours else float("inf")
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def missed(self) -> bool:
        return self.target is not None and self.ratio < self.target


def _ratio(result: Result) -> str:
    if not result.baseline:
        return "–"
    # Enough digits that a ratio just under its target does not print as the target itself.
    shown = f"{result.ratio:.2f}"
    if result.missed and result.target is not None and float(shown) >= result.target:
        shown = f"{result.ratio:.3f}"
    return shown


def _figure(value: float, unit: str) -> str:
    if not value:
        return "–"
    return f"{value:,.1f} ms" if unit == "ms" else f"{value:,.0f} {unit}"


def print_result(result: Result) -> None:
    """One line as soon as a figure is known, so a long run shows progress."""
    verdict = " MISSED" if result.missed else ""
    print(
        f"  {result.name}: ours {_figure(result.ours, result.unit)}, "
        f"baseline {_figure(result.baseline, result.unit)}, ratio {_ratio(result)}{verdict}",
        flush=True,
    )


def markdown_table(results: list[Result]) -> str:
    """The results as a markdown table for the README."""
    lines = [
        "| benchmark | ours | baseline | ratio | target |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        target = f"≥ {r.target:.1f}" if r.target is not None else "–"
        mark = " ✗" if r.missed else (" ✓" if r.target is not None else "")
        lines.append(
            f"| {r.name} | {_figure(r.ours, r.unit)} | {_figure(r.baseline, r.unit)} "
            f"| {_ratio(r)}{mark} | {target} |"
        )
    return "\n".join(lines)
