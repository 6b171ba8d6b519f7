"""A PostgreSQL cluster of the soak's own (`pg_createcluster` on a free port), so that restarting
it never touches the shared one on 5432; dropped at the end."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from e2e.salon_process import free_port

CLUSTER = "salon-soak"
PASSWORD = "soak-only-password"


def _version() -> str:
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir() if p.name.isdigit())
    if not versions:
        raise RuntimeError("no PostgreSQL installed (apt-get install postgresql)")
    return versions[-1]


def _psql(port: int, sql: str) -> None:
    subprocess.run(
        ["su", "postgres", "-c", f'psql -q -p {port} -c "{sql}"'],
        check=True,
        capture_output=True,
        timeout=60,
    )


@contextmanager
def private_cluster() -> Iterator[tuple[tuple[str, str], str]]:
    """((version, cluster name), URL) of a fresh cluster on 127.0.0.1."""
    version = _version()
    subprocess.run(["pg_dropcluster", "--stop", version, CLUSTER], capture_output=True, check=False)
    port = free_port()
    subprocess.run(
        ["pg_createcluster", version, CLUSTER, "--port", str(port), "--start",
         "--", "--auth-host=scram-sha-256"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    try:
        _psql(port, f"ALTER USER postgres PASSWORD '{PASSWORD}'")
        _psql(port, "CREATE DATABASE salon")
        yield (version, CLUSTER), f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/salon"
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, CLUSTER], capture_output=True,
                       check=False)  # fmt: skip
