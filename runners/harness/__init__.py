"""The PyTorch benchmark harness that runner hosts execute (no Django here).

from runners.harness import validate_config, run_job
config, errors = validate_config(raw, get_catalogue())
archive = run_job(config, Path("out"), on_progress=print, should_stop=lambda: False)
"""

from .config import JobConfig, validate_config
from .hardware import host_report, system_description
from .job import run_job

__all__ = ["JobConfig", "host_report", "run_job", "system_description", "validate_config"]
