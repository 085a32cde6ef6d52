"""Static catalogues: job, notebook-session and model-deployment shapes, fast-launch job configs."""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    check_compartment,
    invalid,
    paginate,
)
from airflow_ds_provider.emulator.resources.registry import handles

_SHAPES: list[dict[str, Any]] = [
    {"name": "VM.Standard.E4.Flex", "coreCount": 64, "memoryInGBs": 1024, "shapeSeries": "AMD_ROME"},
    {"name": "VM.Standard.E5.Flex", "coreCount": 94, "memoryInGBs": 1049, "shapeSeries": "AMD_ROME"},
    {"name": "VM.Standard3.Flex", "coreCount": 32, "memoryInGBs": 512, "shapeSeries": "INTEL_SKYLAKE"},
    {"name": "VM.Standard2.1", "coreCount": 1, "memoryInGBs": 15, "shapeSeries": "LEGACY"},
    {"name": "VM.Standard2.2", "coreCount": 2, "memoryInGBs": 30, "shapeSeries": "LEGACY"},
    {"name": "VM.Standard.A1.Flex", "coreCount": 80, "memoryInGBs": 512, "shapeSeries": "ARM"},
    {"name": "VM.GPU.A10.1", "coreCount": 15, "memoryInGBs": 240, "shapeSeries": "NVIDIA_GPU"},
]
_FAST_LAUNCH: list[dict[str, Any]] = [
    {
        "name": f"{shape['name']}-fast",
        "shapeName": shape["name"],
        "coreCount": min(shape["coreCount"], 2),
        "memoryInGBs": min(shape["memoryInGBs"], 32),
        "shapeSeries": shape["shapeSeries"],
        "managedEgressSupport": "SUPPORTED",
    }
    for shape in _SHAPES[:4]
]


def _catalogue(req: Request, items: list[dict[str, Any]]) -> Reply:
    if "compartmentId" not in req.query:
        raise invalid("compartmentId", "is required")
    check_compartment(req.query["compartmentId"])
    return paginate(req.query, [dict(item) for item in items])


@handles("list_job_shapes")
def list_job_shapes(svc: Services, req: Request) -> Reply:
    """GET /jobShapes."""
    return _catalogue(req, _SHAPES)


@handles("list_notebook_session_shapes")
def list_notebook_session_shapes(svc: Services, req: Request) -> Reply:
    """GET /notebookSessionShapes."""
    return _catalogue(req, _SHAPES)


@handles("list_model_deployment_shapes")
def list_model_deployment_shapes(svc: Services, req: Request) -> Reply:
    """GET /modelDeploymentShapes."""
    return _catalogue(req, [s for s in _SHAPES if s["shapeSeries"] != "ARM"])


@handles("list_fast_launch_job_configs")
def list_fast_launch_job_configs(svc: Services, req: Request) -> Reply:
    """GET /fastLaunchJobConfigs."""
    return _catalogue(req, _FAST_LAUNCH)
