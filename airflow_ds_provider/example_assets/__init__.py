"""Files the example DAGs upload, shipped in the package so that an example copied alone into a
DAGs folder still finds them.

* ``train.py``: the training script of the job examples (hyperparameters from environment
  variables, JSON lines on stdout), also the ``train`` step of ``example_ds_pipeline``;
* ``prepare_data.py``: the ``prepare`` step of ``example_ds_pipeline`` (settings from
  environment variables, a JSON summary on stdout);
* ``model_artifact.zip``: the model artifact of ``example_ds_model_deployment``, the zip of
  ``model/score.py`` and ``model/runtime.yaml`` (rebuild it with
  ``cd airflow_ds_provider/example_assets/files/model && zip -X ../model_artifact.zip runtime.yaml score.py``).

In your own DAGs, pass the path of your own script or artifact instead.
"""

from __future__ import annotations

from pathlib import Path

#: The folder holding the files.
ASSETS_DIR = Path(__file__).resolve().parent / "files"


def example_asset_names() -> list[str]:
    """Every shipped file, as a ``/``-separated path relative to :data:`ASSETS_DIR`, sorted."""
    return sorted(
        path.relative_to(ASSETS_DIR).as_posix()
        for path in ASSETS_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def example_asset(name: str) -> str:
    """The absolute path of the shipped file ``name`` (e.g. ``"train.py"``), checked to exist.

    :param name: a path relative to :data:`ASSETS_DIR`, one of :func:`example_asset_names`.
    :raises ValueError: naming ``name`` and the files there are, when it is not one of them.
    """
    names = example_asset_names()
    if name not in names:
        raise ValueError(
            f"example_asset: name {name!r} is not a shipped example file; expected one of {names}"
        )
    return str(ASSETS_DIR / name)
