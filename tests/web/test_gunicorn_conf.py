"""gunicorn.conf.py: the workers' heartbeat file lives in memory where the machine has it."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

CONF = Path(__file__).parents[2] / "gunicorn.conf.py"
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - the directory under test, nothing written here


@pytest.mark.skipif(not os.path.isdir(SHARED_MEMORY), reason="no /dev/shm on this machine")
def test_the_heartbeat_file_is_kept_in_shared_memory():
    settings = runpy.run_path(str(CONF))
    config = Config()
    config.set("worker_tmp_dir", settings["worker_tmp_dir"])

    assert config.worker_tmp_dir == SHARED_MEMORY


def test_without_shared_memory_gunicorn_keeps_its_default(monkeypatch):
    real_isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda p: p != SHARED_MEMORY and real_isdir(p))

    assert "worker_tmp_dir" not in runpy.run_path(str(CONF))
