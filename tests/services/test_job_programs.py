"""Programs run by jobs: at a lower priority than Salon, their failure reported with their last
words, and killed when the job is cancelled."""

import asyncio
import os
import time
from pathlib import Path

import pytest

from salon.jobs.model import JobFailed
from salon.jobs.subprocess import NICENESS, run_niced


async def test_a_program_runs_niced_and_gives_its_output() -> None:
    out = await run_niced(["sh", "-c", "cut -d' ' -f19 /proc/self/stat"], timeout_s=30)
    assert int(out.decode()) == min(os.nice(0) + NICENESS, 19)


async def test_a_failing_program_says_why() -> None:
    with pytest.raises(JobFailed) as failed:
        await run_niced(
            ["sh", "-c", "echo partial; echo 'no such stream' >&2; exit 3"], timeout_s=30
        )
    assert str(failed.value) == "sh exited with 3: no such stream"


async def test_a_cancelled_job_kills_its_program(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    task = asyncio.create_task(
        run_niced(["sh", "-c", f"echo $$ > {pid_file}; exec sleep 60"], timeout_s=120)
    )
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, "the program did not start"
        await asyncio.sleep(0.05)
    pid = int(pid_file.read_text())
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
