"""Data-preparation script of the first step of ``example_ds_pipeline`` (the second runs ``train.py``).

OCI Data Science runs it on the step's shape. Settings arrive as environment variables (the
pipeline's ``configurationDetails`` and the step's ``stepConfigurationDetails``, or a run's
overrides); whatever it prints goes to the pipeline run's log when the pipeline has logging enabled.
"""

from __future__ import annotations

import json
import os
import random


def main() -> None:
    rows = int(os.environ.get("ROWS", "1000"))
    seed = int(os.environ.get("SEED", "42"))
    rng = random.Random(seed)
    values = [rng.gauss(0.0, 1.0) for _ in range(rows)]
    mean = sum(values) / rows
    spread = (sum((v - mean) ** 2 for v in values) / rows) ** 0.5
    print(json.dumps({"rows": rows, "mean": round(mean, 4), "std": round(spread, 4)}))


if __name__ == "__main__":
    main()
