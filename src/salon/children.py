"""Programs Salon starts (Janus, and the tools of background jobs) die with it, even when it is
killed with SIGKILL: a restarted Salon must not find an orphan still writing its files.

Nothing here may take a lock in the child between fork and exec: Salon has threads, and a lock
one of them held at the fork would never be released there. So libc is loaded in the parent, and
job programs get their parent-death signal from `setpriv` rather than from Python code.
"""

import asyncio
import contextlib
import ctypes
import signal
from collections.abc import Sequence

_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """A `preexec_fn`: one system call, no allocation."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def niced_child(argv: Sequence[str], niceness: int) -> list[str]:
    """`argv` run at a lower priority, killed when Salon dies (util-linux `setpriv`, coreutils
    `nice`: both are in every Debian system)."""
    return ["setpriv", "--pdeathsig", "KILL", "nice", "-n", str(niceness), *argv]


async def stop_child(process: "asyncio.subprocess.Process", within_s: float) -> None:
    """Ask a child to end (SIGTERM: ffmpeg closes its output), then kill it if it has not
    within `within_s`; returns once it is gone."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), within_s)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
