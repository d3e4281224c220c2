"""What the host is: the hardware report and the system.json a bundle carries."""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path
from typing import Any

import torch

GIB = 1024**3


def host_report() -> dict[str, Any]:
    """GPUs, CPU, memory and the software stack, as torch and the OS report them."""
    gpus = [torch.cuda.get_device_properties(i) for i in range(torch.cuda.device_count())]
    return {
        "hostname": socket.gethostname(),
        "gpu_count": len(gpus),
        "gpu_models": [g.name for g in gpus],
        "gpu_memory_bytes": [int(g.total_memory) for g in gpus],
        "gpu_peer_access": _peer_access(len(gpus)),
        "cpu_model": _cpu_model(),
        "cpu_sockets": _cpu_sockets(),
        "cpu_cores": os.cpu_count() or 1,
        "memory_bytes": _memory_bytes(),
        "operating_system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda if torch.cuda.is_available() else None,
        "cudnn": torch.backends.cudnn.version() if torch.cuda.is_available() else None,
        "driver": _nvidia_driver(),
    }


def system_description(
    report: dict[str, Any], system_name: str | None = None, submitter: str = ""
) -> dict[str, Any]:
    """The bundle's system.json (MLPerf system-description keys) for one node."""
    gpus = report["gpu_count"]
    memory = report["gpu_memory_bytes"]
    software = {k: str(report[k]) for k in ("python", "torch", "cuda", "cudnn", "driver") if report.get(k)}
    return {
        "submitter": submitter,
        "system_name": system_name or report["hostname"],
        "number_of_nodes": 1,
        "host_processor_model_name": report["cpu_model"],
        "host_processors_per_node": report["cpu_sockets"],
        "host_processor_core_count": report["cpu_cores"],
        "host_memory_capacity": f"{report['memory_bytes'] / GIB:.0f} GB",
        "accelerators_per_node": gpus,
        "accelerator_model_name": ", ".join(sorted(set(report["gpu_models"]))) if gpus else "none",
        "accelerator_memory_capacity": f"{min(memory) / GIB:.0f} GB" if gpus else "none",
        "accelerator_interconnect": _interconnect(report),
        "framework": f"PyTorch {report['torch']}",
        "operating_system": report["operating_system"],
        "other_software_stack": software,
        "hw_notes": "reported by the BenchCouncil runner harness (runners.harness.hardware)",
        "sw_notes": "",
    }


def _interconnect(report: dict[str, Any]) -> str:
    if report["gpu_count"] == 0:
        return "none"
    if report["gpu_count"] == 1:
        return "single accelerator"
    # torch cannot tell NVLink from PCIe peer-to-peer; say only what it can see.
    return "peer-to-peer between all GPUs" if report["gpu_peer_access"] else "through host memory"


def _peer_access(count: int) -> bool:
    pairs = [(a, b) for a in range(count) for b in range(count) if a != b]
    return bool(pairs) and all(torch.cuda.can_device_access_peer(a, b) for a, b in pairs)


def _cpuinfo() -> list[str]:
    path = Path("/proc/cpuinfo")
    return path.read_text().splitlines() if path.exists() else []


def _cpu_model() -> str:
    for line in _cpuinfo():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def _cpu_sockets() -> int:
    ids = {line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("physical id")}
    return max(len(ids), 1)


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0


def _nvidia_driver() -> str | None:
    path = Path("/proc/driver/nvidia/version")
    if not path.exists():
        return None
    first = path.read_text().splitlines()[0]
    # "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  ..."
    parts = first.split("Kernel Module")
    return parts[1].split()[0] if len(parts) > 1 and parts[1].split() else first.strip()
