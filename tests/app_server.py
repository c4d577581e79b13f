"""Start the real web app (`python app.py`) on 127.0.0.1 for the app tests, on a copy of the demo store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from beleidsbron.settings import PROJECT_ROOT


@dataclass
class RunningApp:
    url: str
    store: Path
    feedback_db: Path
    uploads: Path
    log: Path
    pid: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def run_app(
    demo_store: Path, workdir: Path, extra_env: dict[str, str] | None = None, store: Path | None = None
) -> Iterator[RunningApp]:
    """The app as a user starts it, with its own store copy (in ``workdir`` unless ``store`` is given),
    feedback database and upload folder."""
    store = store or workdir / "store"
    shutil.copytree(demo_store, store)
    port = free_port()
    running = RunningApp(
        f"http://127.0.0.1:{port}", store, workdir / "feedback.sqlite3", workdir / "uploads", workdir / "app.log"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEIDSBRON_")}
    env.update(
        BELEIDSBRON_STORE_PATH=str(store),
        BELEIDSBRON_FEEDBACK_DB=str(running.feedback_db),
        BELEIDSBRON_UPLOAD_DIR=str(running.uploads),
        GRADIO_TEMP_DIR=str(workdir / "gradio-tmp"),
        **(extra_env or {}),
    )
    with running.log.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        running.pid = proc.pid
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"app exited early:\n{running.log.read_text()}")
                try:
                    if httpx.get(f"{running.url}/config", timeout=2).status_code in (200, 401):
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            else:
                raise RuntimeError(f"app did not start:\n{running.log.read_text()}")
            yield running
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
