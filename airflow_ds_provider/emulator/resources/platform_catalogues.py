"""Static catalogues: compute target shapes and the service-managed containers (AI Quick Actions
style serving, fine-tuning and evaluation images), with every field the models require."""

from __future__ import annotations

import copy
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

#: ``ComputeTargetShapeSummary`` entries.
COMPUTE_TARGET_SHAPES: list[dict[str, Any]] = [
    {"name": "VM.Standard.E4.Flex", "coreCount": 64, "memoryInGBs": 1024, "shapeSeries": "AMD_ROME"},
    {"name": "VM.Standard.E5.Flex", "coreCount": 94, "memoryInGBs": 1049, "shapeSeries": "AMD_ROME"},
    {"name": "VM.Standard3.Flex", "coreCount": 32, "memoryInGBs": 512, "shapeSeries": "INTEL_SKYLAKE"},
    {"name": "VM.Standard.A1.Flex", "coreCount": 80, "memoryInGBs": 512, "shapeSeries": "ARM"},
    {"name": "VM.GPU.A10.1", "coreCount": 15, "memoryInGBs": 240, "shapeSeries": "NVIDIA_GPU"},
    {"name": "VM.GPU.A10.2", "coreCount": 30, "memoryInGBs": 480, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU.A10.4", "coreCount": 64, "memoryInGBs": 1024, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU.H100.8", "coreCount": 112, "memoryInGBs": 2048, "shapeSeries": "NVIDIA_GPU"},
]


def _serving(name: str, tag: str, latest: bool = True, state: str = "ACTIVE") -> dict[str, Any]:
    return {
        "containerName": f"dsmc://{name}",
        "displayName": name.removeprefix("odsc-").replace("-", " ").upper(),
        "familyName": name,
        "description": f"Service-managed {name} container for model deployments",
        "isLatest": latest,
        "targetWorkloads": ["MODEL_DEPLOYMENT"],
        "usages": ["INFERENCE"],
        "tag": tag,
        "lifecycleState": state,
        "workloadConfigurationDetailsList": [
            {"workloadType": "MODEL_DEPLOYMENT", "cmd": "serve", "serverPort": 8080, "healthCheckPort": 8080}
        ],
        "tagConfigurationList": [{"key": "MODEL_DEPLOY_PREDICT_ENDPOINT", "value": "/v1/completions"}],
        "freeformTags": {},
        "definedTags": {},
    }


def _job(name: str, tag: str, usage: str) -> dict[str, Any]:
    return {
        "containerName": f"dsmc://{name}",
        "displayName": name.removeprefix("odsc-").replace("-", " ").upper(),
        "familyName": name,
        "description": f"Service-managed {name} container for job runs",
        "isLatest": True,
        "targetWorkloads": ["JOB_RUN"],
        "usages": [usage],
        "tag": tag,
        "lifecycleState": "ACTIVE",
        "workloadConfigurationDetailsList": [
            {"workloadType": "JOB_RUN", "useCaseConfiguration": {"useCaseType": "GENERIC"}}
        ],
        "tagConfigurationList": [],
        "freeformTags": {},
        "definedTags": {},
    }


#: ``ContainerSummary`` entries.
CONTAINERS: list[dict[str, Any]] = [
    _serving("odsc-vllm-serving", "0.6.4.post1.2"),
    _serving("odsc-vllm-serving", "0.5.3.post1", latest=False),
    _serving("odsc-tgi-serving", "2.0.1.4"),
    _serving("odsc-llama-cpp-serving", "0.2.78.0"),
    _serving("odsc-tei-serving", "1.2.0", latest=False, state="INACTIVE"),
    _job("odsc-llm-fine-tuning", "2.2.62.70", "FINE_TUNE"),
    _job("odsc-llm-evaluate", "0.1.3.4", "EVALUATION"),
    _job("odsc-batch-inference", "1.0.0", "BATCH_INFERENCE"),
]

_BOOLEANS = {"true": True, "false": False}


@handles("list_compute_target_shapes")
def list_compute_target_shapes(svc: Services, req: Request) -> Reply:
    """GET /computeTargetShapes."""
    if "compartmentId" not in req.query:
        raise invalid("compartmentId", "is required")
    check_compartment(req.query["compartmentId"])
    return paginate(req.query, copy.deepcopy(COMPUTE_TARGET_SHAPES))


def _container_filters(query: dict[str, str]) -> list[tuple[str, Any]]:
    """(field, predicate) pairs of the query's filters."""
    checks: list[tuple[str, Any]] = []
    if "isLatest" in query:
        wanted = _BOOLEANS.get(query["isLatest"].lower())
        if wanted is None:
            raise invalid("isLatest", f"must be true or false, got {query['isLatest']!r}")
        checks.append(("isLatest", lambda c, w=wanted: c["isLatest"] is w))
    for name, wire in (
        ("displayName", "displayName"),
        ("containerName", "containerName"),
        ("tagQueryParam", "tag"),
    ):
        if name in query:
            checks.append((name, lambda c, w=wire, v=query[name]: c.get(w) == v))
    if "lifecycleState" in query:
        checks.append(("lifecycleState", lambda c, v=query["lifecycleState"]: c["lifecycleState"] == v))
    if "targetWorkload" in query:
        checks.append(("targetWorkload", lambda c, v=query["targetWorkload"]: v in c["targetWorkloads"]))
    if "usageQueryParam" in query:
        checks.append(("usageQueryParam", lambda c, v=query["usageQueryParam"]: v in c["usages"]))
    return checks


@handles("list_containers")
def list_containers(svc: Services, req: Request) -> Reply:
    """GET /containers (filters: isLatest, names, tag, state, target workload, usage)."""
    for name, allowed in req.op.query_param_allowed_values.items():
        if name in req.query and req.query[name] not in allowed:
            raise invalid(name, f"must be one of {list(allowed)}, got {req.query[name]!r}")
    checks = _container_filters(req.query)
    items = [copy.deepcopy(c) for c in CONTAINERS if all(pred(c) for _, pred in checks)]
    return paginate(req.query, items)
