#!/bin/bash
# A BenchCouncil runner job on Slurm, written by runners/worker/sbatch.py from this template
# (Python string.Template: a dollar sign and a name is filled in, two dollar signs are one).
# A centre may supply its own template (RUNNER_SLURM_TEMPLATE) using the same names;
# docs/runner-hosts.md lists them.
#
# Nothing secret is in this file or in the environment Slurm stores with the job: the job's
# secret is in the job folder's file `secret` (mode 0600, the runner's user only), read by rank 0 alone.
#SBATCH --job-name=$job_name
#SBATCH --nodes=$nodes
#SBATCH --ntasks-per-node=1
#SBATCH --time=$time_minutes
#SBATCH --output=$job_dir/slurm-%j.out
#SBATCH --export=$export
#SBATCH --no-requeue
$sbatch_options
set -euo pipefail
cd "$job_dir"

# 1. A hardware report from every node of the allocation, one file per node.
srun --ntasks-per-node=1 --kill-on-bad-exit=1 $python -m runners.worker.slurm_node report --job-dir "$job_dir"

# 2. The nodes must match each other (or the mismatch is written into the system description).
$python -m runners.worker.slurm_node check --job-dir "$job_dir"

# 3. The harness on every node: torchrun with a c10d rendezvous on the first node, one process
#    per accelerator (one per node on CPUs); rank 0 reports progress and uploads the bundle.
srun --ntasks-per-node=1 --kill-on-bad-exit=1 $python -m runners.worker.slurm_node launch --job-dir "$job_dir"
