"""MLLOG output: one file per run, written through mlperf_logging's own encoder."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from mlperf_logging.mllog import constants
from mlperf_logging.mllog.mllog import MLLogger

_FORMAT = logging.Formatter("%(message)s")
_ROOT = str(Path(__file__).resolve().parents[2])  # metadata.file relative to the repository


class RunLog:
    """The MLLOG events of one training run, to logs/run_N.log and, optionally, to stdout.

    Echoing to stdout gives operators and the web tier's log tail the same lines the bundle holds.
    """

    def __init__(self, path: Path, echo: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A private Logger (not logging.getLogger) so runs never share or leak handlers.
        self._logger = logging.Logger(f"benchcouncil.mllog.{path.stem}", logging.INFO)
        self._handlers: list[logging.Handler] = [logging.FileHandler(path, encoding="utf-8")]
        if echo:
            self._handlers.append(logging.StreamHandler(sys.stdout))
        for handler in self._handlers:
            handler.setFormatter(_FORMAT)
            self._logger.addHandler(handler)
        # stack_offset 2: the metadata's file/lineno name the harness line that logged the event.
        self._mllogger = MLLogger(self._logger, default_stack_offset=2, root_dir=_ROOT)

    def event(self, key: str, value: Any = None, **metadata: Any) -> None:
        self._mllogger.event(key=key, value=value, metadata=metadata or None)

    def start(self, key: str, value: Any = None, **metadata: Any) -> None:
        self._mllogger.start(key=key, value=value, metadata=metadata or None)

    def end(self, key: str, value: Any = None, **metadata: Any) -> None:
        self._mllogger.end(key=key, value=value, metadata=metadata or None)

    def close(self) -> None:
        for handler in self._handlers:
            handler.close()
            self._logger.removeHandler(handler)


RUN_START = constants.RUN_START
RUN_STOP = constants.RUN_STOP
EPOCH_START = constants.EPOCH_START
EPOCH_STOP = constants.EPOCH_STOP
EVAL_ACCURACY = constants.EVAL_ACCURACY
SUCCESS = constants.SUCCESS
ABORTED = constants.ABORTED
INIT_START = constants.INIT_START
INIT_STOP = constants.INIT_STOP
EVAL_START = constants.EVAL_START
EVAL_STOP = constants.EVAL_STOP
CACHE_CLEAR = constants.CACHE_CLEAR
SUBMISSION_BENCHMARK = constants.SUBMISSION_BENCHMARK
SEED = constants.SEED
GLOBAL_BATCH_SIZE = constants.GLOBAL_BATCH_SIZE
TRAIN_SAMPLES = constants.TRAIN_SAMPLES
EVAL_SAMPLES = constants.EVAL_SAMPLES
