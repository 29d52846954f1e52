"""Fixtures shared by the experiment tests."""

from __future__ import annotations

import pandas as pd
import pytest

import sim.experiment.experiment as experiment_module
from sim.experiment.jobs import Job


@pytest.fixture
def count_jobs(monkeypatch: pytest.MonkeyPatch) -> list[Job]:
    """Record every job run in this process (use with one worker)."""
    seen: list[Job] = []
    real = experiment_module.replicate

    def counting(job: Job) -> dict[str, pd.DataFrame]:
        seen.append(job)
        return real(job)

    monkeypatch.setattr(experiment_module, "replicate", counting)
    return seen
