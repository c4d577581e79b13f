"""Start the real web app (`python app.py`) on 127.0.0.1 on a copy of a store, and talk to its API.

Evals stage (app → *evals*): used by the load benchmark (``evals.load``) and by the app tests, which
import it from here (evals never import tests).
"""

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
from typing import Any

import httpx

from beleidsbron.settings import PROJECT_ROOT

ASK_TIMEOUT_S = 300.0  # one question; far above any real latency, so only a hang trips it
UPLOAD_TIMEOUT_S = 900.0


@dataclass
class RunningApp:
    url: str
    store: Path
    feedback_db: Path
    uploads: Path
    log: Path
    pid: int = 0


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for the app, a Chroma server, a fake LLM server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def answer_of(result: Any) -> tuple[str, str]:
    """(answer text, sources HTML) from the /ask endpoint's outputs."""
    _, chat, sources, _ = result
    content = chat[-1]["content"] if chat and chat[-1].get("role") == "assistant" else ""
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content), str(sources)


def ask_api(client: Any, question: str) -> tuple[str, str]:
    """One question through ``gradio_client`` in a fresh session (no follow-up context), bounded in time."""
    client.reset_session()
    job = client.submit(
        message=question, chat=[], publishers=[], year_from=None, year_to=None, documents=[], api_name="/ask"
    )
    return answer_of(job.result(timeout=ASK_TIMEOUT_S))


def upload_api(client: Any, *paths: Path) -> str:
    """Upload files through ``gradio_client``; returns the app's (Dutch, Markdown) report."""
    from gradio_client import handle_file

    job = client.submit(files=[handle_file(str(p)) for p in paths], api_name="/upload")
    return str(job.result(timeout=UPLOAD_TIMEOUT_S)[0])
