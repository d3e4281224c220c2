"""The system description of a job that ran on several nodes, from every node's own report.

On a Slurm allocation each node writes its hardware report (host_report() plus its network)
before training; rank 0 builds system.json from all of them, so that a multi-node result
describes the nodes actually allocated, not the node that wrote the bundle. Nodes that differ
are a heterogeneous allocation: refused before training, or reported as such (the host's
setting), never averaged away.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .hardware import GIB, host_report, system_description

NODE_REPORTS_ENV = "BENCHCOUNCIL_NODE_REPORTS"  # the folder of per-node reports (set by the launcher)
ALLOCATED_ACCELERATORS_ENV = "BENCHCOUNCIL_ACCELERATORS_PER_NODE"
# What must be the same on every node for the allocation to be one system.
SIGNATURE = ("cpu_model", "cpu_sockets", "cpu_cores", "memory_gib", "gpu_count", "gpu_models")


def networking() -> dict[str, Any]:
    """InfiniBand devices and network interfaces (with their speed) as the kernel lists them."""
    infiniband = sorted(p.name for p in Path("/sys/class/infiniband").glob("*"))
    interfaces = []
    for path in sorted(Path("/sys/class/net").glob("*")):
        if path.name == "lo":
            continue
        interfaces.append({"name": path.name, "speed_mbps": _read_int(path / "speed")})
    return {"infiniband": infiniband, "interfaces": interfaces}


def _read_int(path: Path) -> int | None:
    try:
        value = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return value if value > 0 else None


def node_report(node: str) -> dict[str, Any]:
    return {"node": node, **host_report(), "networking": networking()}


def read_node_reports(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def _signature(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "cpu_model": report["cpu_model"],
        "cpu_sockets": report["cpu_sockets"],
        "cpu_cores": report["cpu_cores"],
        "memory_gib": round(report["memory_bytes"] / GIB),
        "gpu_count": report["gpu_count"],
        "gpu_models": sorted(report["gpu_models"]),
    }


def allocation_problems(reports: list[dict[str, Any]], nodes: int, accelerators_per_node: int) -> list[str]:
    """Why the reports are not `nodes` alike nodes with `accelerators_per_node` each (empty: they are)."""
    problems = []
    if len(reports) != nodes:
        problems.append(f"{len(reports)} of the {nodes} allocated nodes sent a hardware report")
    for report in reports:
        if report["gpu_count"] < accelerators_per_node:
            problems.append(
                f"node {report['node']} sees {report['gpu_count']} accelerators, "
                f"{accelerators_per_node} were allocated"
            )
    if reports:
        first = _signature(reports[0])
        for report in reports[1:]:
            other = _signature(report)
            for key in SIGNATURE:
                if other[key] != first[key]:
                    problems.append(
                        f"{key} differs: {first[key]!r} on {reports[0]['node']}, "
                        f"{other[key]!r} on {report['node']}"
                    )
    return problems


def _host_networking(reports: list[dict[str, Any]]) -> str:
    devices = sorted({d for r in reports for d in r.get("networking", {}).get("infiniband", [])})
    if devices:
        return f"InfiniBand ({', '.join(devices)})"
    speeds = sorted(
        {
            f"{i['name']} {i['speed_mbps'] / 1000:g} Gb/s" if i.get("speed_mbps") else i["name"]
            for r in reports
            for i in r.get("networking", {}).get("interfaces", [])
        }
    )
    return f"Ethernet/TCP ({', '.join(speeds)})" if speeds else "not detected"


def cluster_system_description(
    reports: list[dict[str, Any]], *, accelerators_per_node: int, system_name: str | None, submitter: str
) -> dict[str, Any]:
    """system.json for the allocation: counts from the allocation, hardware from the nodes."""
    base = system_description(reports[0], system_name=system_name, submitter=submitter)
    problems = allocation_problems(reports, len(reports), accelerators_per_node)
    names = ", ".join(r["node"] for r in reports)
    notes = f"{len(reports)} nodes allocated by Slurm ({names}), each reported by the runner harness"
    if problems:
        notes += "; HETEROGENEOUS allocation: " + "; ".join(problems)
    return {
        **base,
        "system_name": system_name or f"{reports[0]['node']} and {len(reports) - 1} more nodes",
        "number_of_nodes": len(reports),
        "accelerators_per_node": accelerators_per_node,
        "host_networking": _host_networking(reports),
        "hw_notes": notes,
        "heterogeneous": bool(problems),
        "nodes": [{"node": r["node"], "hostname": r["hostname"], **_signature(r)} for r in reports],
    }


def job_system_description(*, system_name: str | None, submitter: str) -> dict[str, Any]:
    """The job's system.json: from the allocation's node reports where a launcher wrote them."""
    folder = os.environ.get(NODE_REPORTS_ENV)
    reports = read_node_reports(Path(folder)) if folder else []
    if not reports:
        return system_description(host_report(), system_name=system_name, submitter=submitter)
    per_node = int(os.environ.get(ALLOCATED_ACCELERATORS_ENV, reports[0]["gpu_count"]))
    return cluster_system_description(
        reports, accelerators_per_node=per_node, system_name=system_name, submitter=submitter
    )
