"""Training script uploaded as the job artifact by ``example_ds_job_pipeline``.

OCI Data Science runs it on the job's shape. Hyperparameters arrive as environment variables
(the job's ``environmentVariables``, or a run's ``jobConfigurationOverrideDetails``); whatever it
prints goes to the job run's log when the job has logging enabled.
"""

from __future__ import annotations

import json
import math
import os
import random


def main() -> None:
    epochs = int(os.environ.get("EPOCHS", "3"))
    learning_rate = float(os.environ.get("LEARNING_RATE", "0.1"))
    seed = int(os.environ.get("SEED", "42"))
    rng = random.Random(seed)
    loss = 1.0
    for epoch in range(1, epochs + 1):
        loss *= math.exp(-learning_rate) * (0.95 + 0.1 * rng.random())
        print(json.dumps({"epoch": epoch, "loss": round(loss, 4)}))
    print(json.dumps({"final_loss": round(loss, 4), "learning_rate": learning_rate, "epochs": epochs}))


if __name__ == "__main__":
    main()
