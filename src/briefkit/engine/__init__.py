"""The export engine: what changed, what to make, where the work runs, what came of it.

``sources`` (what changed in source/), ``plan`` (keys and order), ``jobs`` (typed
jobs and their outcomes), ``work`` (a worker's side), ``executors`` (this
process, a local pool), ``cluster`` (which Dask cluster, if any, and reaching
it), ``state`` (the run state in ``.briefkit/``), ``run`` (one export run) and
``report`` (what it says).
``project`` opens a project for export and the preview alike; ``warm`` exports one again and
again in this process (the live preview).
"""

from briefkit.engine.executors import default_jobs
from briefkit.engine.project import output_folder
from briefkit.engine.report import Failure, Progress, Report
from briefkit.engine.run import export

__all__ = ["Failure", "Progress", "Report", "default_jobs", "export", "output_folder"]
