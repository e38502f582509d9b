"""What the Dask engine's training and scoring share: the client to a cluster and the staging folder.

`DaskCluster.connect` reaches --scheduler ADDRESS, or starts a LocalCluster of local processes on 127.0.0.1;
`dask_modules` imports Dask or says, in words, how to install it; `scratch_folder` names a run's partitions folder
in staging/ for its owner process (soloml/owners.py). engines/dask_train.py and
engines/dask_score.py build on it; engines/dask.py puts them together as `DaskEngine`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Literal, TypeVar

from soloml.errors import ConfigError
from soloml.owners import owner_token

LOCAL_WORKERS = 2
CONNECT_TIMEOUT = "30s"
# staging/dask-<kind>-<owner token>: a run's partitions, removed when it ends; a killed run's by the next recovery
FOLDER_PREFIX = "dask-"
FolderKind = Literal["score", "train"]
FOLDER_KINDS: tuple[FolderKind, ...] = ("score", "train")
_Engine = TypeVar("_Engine", bound="DaskCluster")


def dask_modules() -> tuple[Any, Any, Any]:
    """`dask.dataframe`, `distributed` and `lightgbm.dask`, or a ConfigError saying how to install them."""
    try:
        import dask.dataframe as dd
        import distributed
        import lightgbm.dask as lgb_dask
    except ImportError as exc:
        raise ConfigError(
            f"--engine dask needs Dask, which is not installed here ({exc}).",
            hint="Install the scale extra: pip install 'soloml[scale]' (here and on every worker), or use --engine local.",
        ) from exc
    return dd, distributed, lgb_dask


def _stdout_to_stderr(distributed: Any) -> Any:
    """A worker plugin that points each worker's stdout at its stderr. Local workers share this process's
    terminal, and LightGBM's C++ network set-up prints there ("Trying to bind port ..."), which would land in
    the middle of `--json`'s output. Registered as a plugin, so a worker restarted after a crash gets it too."""

    class StdoutToStderr(distributed.WorkerPlugin):
        def setup(self, worker: Any) -> None:
            import os
            import sys

            sys.stdout.flush()
            os.dup2(2, 1)

    return StdoutToStderr()


class DaskCluster:
    """A `distributed.Client` (to --scheduler ADDRESS, or to a LocalCluster it started) and a staging folder for partitions."""

    name = "dask"

    def __init__(self, client: Any, staging: Path, *, cluster: Any = None, memory: int | None = None) -> None:
        self.client = client
        self.staging = Path(staging)
        self.cluster = cluster  # only a cluster this engine started is closed with it
        self.memory = memory  # this machine's memory in bytes, as the sample rule sees it (None: read from the system)
        self.facts: dict[str, Any] = {}  # what the last train_warehouse did: the rows on the cluster, the sample

    @classmethod
    def connect(
        cls: type[_Engine],
        scheduler: str | None,
        *,
        staging: Path,
        workers: int = LOCAL_WORKERS,
        timeout: str = CONNECT_TIMEOUT,
        memory: int | None = None,
    ) -> _Engine:
        """Connect to `scheduler`, or start a LocalCluster of `workers` processes bound to 127.0.0.1."""
        _, distributed, _ = dask_modules()
        if scheduler:
            try:
                return cls(distributed.Client(scheduler, timeout=timeout), staging, memory=memory)
            except (OSError, TimeoutError) as exc:
                raise ConfigError(
                    f"Could not reach the Dask scheduler at {scheduler}: {exc}.",
                    hint="Check the address (tcp://HOST:8786) and that `dask scheduler` runs there, or leave out --scheduler for local worker processes.",
                ) from exc
        with (
            warnings.catch_warnings()
        ):  # another cluster on this machine holds the default HTTP port: any free one will do
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
            )
        client = distributed.Client(cluster)
        client.register_plugin(_stdout_to_stderr(distributed))
        return cls(client, staging, cluster=cluster, memory=memory)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def scratch_folder(self, kind: FolderKind) -> Path:
        """`staging/dask-<kind>-<owner token>`: named for this process, so if it is killed the next command's
        recovery step (deploy/scratch.py) knows the folder is no one's and removes it."""
        return self.staging / f"{FOLDER_PREFIX}{kind}-{owner_token()}"

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))
