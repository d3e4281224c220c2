"""The service's HTTP client, used by the `benchcouncil` command (benchcouncil/cli.py).

Standard library only, and no Django: it runs wherever the package is installed, with no
settings, database or broker configured.
"""

from .errors import ApiError, ClientError, NetworkError, UsageError, WaitTimeout
from .http import ApiClient

__all__ = ["ApiClient", "ApiError", "ClientError", "NetworkError", "UsageError", "WaitTimeout"]
