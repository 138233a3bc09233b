"""The quality gate: compare measured metrics with the thresholds file (pure but for loading)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.yaml"


class ThresholdsError(ValueError):
    """The thresholds file is malformed."""


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, float]]:
    """{metric: {"min": x} | {"max": y} | both} from the YAML file's ``metrics`` mapping."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return parse_thresholds(data.get("metrics") or {}, source=str(path))


def parse_thresholds(raw: Mapping[str, Any], source: str = "thresholds") -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, bounds in raw.items():
        if not isinstance(bounds, Mapping) or not bounds or set(bounds) - {"min", "max"}:
            raise ThresholdsError(f"{source}: {name}: give 'min' and/or 'max', e.g. {{min: 0.5}}")
        try:
            out[name] = {k: float(v) for k, v in bounds.items()}
        except (TypeError, ValueError):
            raise ThresholdsError(f"{source}: {name}: bounds must be numbers") from None
    return out


def failures(metrics: Mapping[str, float], thresholds: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One message per metric outside its bounds (a metric not measured fails too)."""
    out = []
    for name, bounds in thresholds.items():
        value = metrics.get(name)
        if value is None:
            out.append(f"{name}: not measured (threshold {dict(bounds)})")
            continue
        if "min" in bounds and value < bounds["min"]:
            out.append(f"{name} = {value:g} is below its threshold min {bounds['min']:g}")
        if "max" in bounds and value > bounds["max"]:
            out.append(f"{name} = {value:g} is above its threshold max {bounds['max']:g}")
    return out
