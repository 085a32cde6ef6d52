"""Scoring entry point of the model artifact served by ``example_ds_model_deployment``.

OCI Data Science model deployments call ``load_model()`` once, then ``predict(data)`` for each
request to the deployment's ``/predict`` endpoint.
"""

from __future__ import annotations

from typing import Any


def load_model() -> dict[str, float]:
    """A linear model: y = slope * x + intercept."""
    return {"slope": 2.0, "intercept": 1.0}


def predict(data: Any, model: dict[str, float] | None = None) -> dict[str, list[float]]:
    """Score a list of numbers (or ``{"inputs": [...]}``)."""
    model = model or load_model()
    values = data.get("inputs", []) if isinstance(data, dict) else list(data)
    return {"prediction": [model["slope"] * float(x) + model["intercept"] for x in values]}
