"""Programs Salon starts (Janus, and the tools of background jobs) die with it, even when it is
killed with SIGKILL: a restarted Salon must not find an orphan still writing its files."""

import ctypes
import os
import signal
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child before exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def die_with_parent_niced(niceness: int) -> Callable[[], None]:
    """A `preexec_fn`: die with Salon, and run at a lower priority than the rooms it serves."""

    def prepare() -> None:
        os.nice(niceness)
        die_with_parent()

    return prepare
