"""Programs a job runs (ffmpeg, janus-pp-rec): niced, so the rooms being served keep the
CPU they need; killed with the job when it is cancelled."""

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Sequence

from salon.children import niced_child
from salon.jobs.model import JobFailed

log = logging.getLogger(__name__)

NICENESS = 10
STDERR_TAIL = 1500


async def run_niced(argv: Sequence[str], *, timeout_s: float) -> bytes:
    """Run `argv` at a lower priority (`nice -n 10`); its standard output, or
    `JobFailed` with its last words. It dies with Salon, even when Salon is killed."""
    process = await asyncio.create_subprocess_exec(
        *niced_child(argv, NICENESS),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout_s)
    except (asyncio.CancelledError, TimeoutError) as stopped:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        if isinstance(stopped, TimeoutError):
            raise JobFailed(f"{argv[0]} took longer than {timeout_s:.0f} s") from None
        raise
    if process.returncode != 0:
        tail = err.decode(errors="replace")[-STDERR_TAIL:].strip()
        raise JobFailed(f"{argv[0]} exited with {process.returncode}: {tail}")
    return out
