"""No outbound network at run time: ingest, the assistant and their libraries stay on this machine.

A guard replaces the socket entry points (connect, connect_ex, sendto, create_connection,
getaddrinfo) for anything but loopback and Unix sockets, records every attempt and refuses it. The
guard runs in this process (the main ingest process and the assistant) and, through a
``sitecustomize`` module, in every process of a subprocess run (the forkserver and the PDF parsing
workers included).
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import beleidsbron
from assistant.core import Assistant
from beleidsbron.settings import PROJECT_ROOT
from beleidsbron.store import Store
from evals.app_client import ask_api, run_app, upload_api
from evals.pdf_factory import text_pdf
from ingest.pipeline import Ingestor
from tests.conftest import CORPUS, DemoStore, make_settings

TWO_PDFS = ["02-financiering-wijkaanpak.pdf", "05-bewonersparticipatie.pdf"]
QUESTION = "Hoe wordt de wijkaanpak gefinancierd?"

# The same guard as source text, for the sitecustomize module of the subprocess test.
GUARD_SOURCE = textwrap.dedent(
    """
    import ipaddress, json, os, socket

    _LOG = os.environ["NET_GUARD_LOG"]
    with open(os.environ["NET_GUARD_PIDS"], "a", encoding="utf-8") as _fh:
        _fh.write(f"{os.getpid()}\\n")  # proof that the guard runs in this process

    def _local(host):
        if host in (None, "", "localhost", "localhost.localdomain"):
            return True
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _refuse(what, target):
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"pid": os.getpid(), "call": what, "target": repr(target)}) + "\\n")
        raise OSError(f"network access blocked by the test guard: {what} {target!r}")

    def _address_ok(sock, address):
        return sock.family == socket.AF_UNIX or not isinstance(address, tuple) or _local(address[0])

    _connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
    _getaddrinfo, _create_connection = socket.getaddrinfo, socket.create_connection

    def connect(self, address):
        if not _address_ok(self, address):
            _refuse("connect", address)
        return _connect(self, address)

    def connect_ex(self, address):
        if not _address_ok(self, address):
            _refuse("connect_ex", address)
        return _connect_ex(self, address)

    def sendto(self, data, *args):
        address = args[-1]
        if not _address_ok(self, address):
            _refuse("sendto", address)
        return _sendto(self, data, *args)

    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            _refuse("getaddrinfo", host)
        return _getaddrinfo(host, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        if not _local(address[0]):
            _refuse("create_connection", address)
        return _create_connection(address, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
    socket.getaddrinfo, socket.create_connection = getaddrinfo, create_connection
    """
)


def is_local(host: object) -> bool:
    if host in (None, "", "localhost", "localhost.localdomain"):
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Refuse and record every non-local network attempt made in this process."""
    attempts: list[tuple[str, str]] = []

    def refuse(what: str, target: object) -> None:
        attempts.append((what, repr(target)))
        raise OSError(f"network access blocked by the test guard: {what} {target!r}")

    def address_ok(sock: socket.socket, address: Any) -> bool:
        return sock.family == socket.AF_UNIX or not isinstance(address, tuple) or is_local(address[0])

    def guarded_method(name: str) -> Callable[..., Any]:
        original = getattr(socket.socket, name)

        def method(self: socket.socket, *args: Any) -> Any:
            if not address_ok(self, args[-1]):
                refuse(name, args[-1])
            return original(self, *args)

        return method

    original_getaddrinfo = socket.getaddrinfo
    original_create_connection = socket.create_connection

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local(host):
            refuse("getaddrinfo", host)
        return original_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local(address[0]):
            refuse("create_connection", address)
        return original_create_connection(address, *args, **kwargs)

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, guarded_method(name))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    yield attempts


def two_pdfs(folder: Path) -> Path:
    folder.mkdir()
    for name in TWO_PDFS:
        shutil.copy(CORPUS / name, folder / name)
    return folder


def test_the_guard_catches_outbound_attempts(network_guard: list[tuple[str, str]]) -> None:
    """Control: the guard really refuses and records (so an empty record below means something)."""
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    with pytest.raises(OSError, match="blocked"):
        socket.getaddrinfo("example.org", 443)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(OSError, match="blocked"):
        udp.sendto(b"x", ("192.0.2.1", 53))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp, pytest.raises(OSError, match="blocked"):
        tcp.connect(("192.0.2.1", 80))
    assert [call for call, _ in network_guard] == ["create_connection", "getaddrinfo", "sendto", "connect"]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:  # loopback stays allowed
        tcp.connect_ex(("127.0.0.1", 9))
    assert len(network_guard) == 4


@pytest.mark.slow  # an ingest and an assistant under the guard
def test_ingest_and_answers_make_no_network_calls(tmp_path: Path, network_guard: list[tuple[str, str]]) -> None:
    settings = make_settings(tmp_path / "store")
    summary = Ingestor(settings).run([two_pdfs(tmp_path / "corpus")])
    assert summary.failed == 0 and summary.count("ingested") == 2
    assistant = Assistant(settings)
    answer = assistant.ask(QUESTION)
    assert not answer.refused and answer.citations
    assistant.ask("Wat weet je over de maan?")  # a refusal path too
    assert network_guard == []
    assert Store.open(settings).client.get_settings().anonymized_telemetry is False


@pytest.mark.slow  # ingest and answers in a guarded subprocess
def test_every_process_stays_offline(tmp_path: Path) -> None:
    """The same run in a fresh interpreter whose every process (workers too) carries the guard."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD_SOURCE, encoding="utf-8")
    log, pids = tmp_path / "attempts.jsonl", tmp_path / "guarded-pids.txt"
    log.touch()
    script = textwrap.dedent(
        f"""
        import json, socket
        from pathlib import Path
        from assistant.core import Assistant
        from ingest.pipeline import Ingestor
        from tests.conftest import make_settings

        if __name__ == "__main__":
            assert socket.getaddrinfo.__module__ == "sitecustomize", "guard not installed"
            settings = make_settings(Path({str(tmp_path / "store")!r}))
            summary = Ingestor(settings).run([Path({str(two_pdfs(tmp_path / "corpus"))!r})])
            answer = Assistant(settings).ask({QUESTION!r})
            print(json.dumps({{"failed": summary.failed, "refused": answer.refused}}))
        """
    )
    (tmp_path / "run.py").write_text(script, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEIDSBRON_")}
    env |= {"PYTHONPATH": f"{guard_dir}{os.pathsep}{PROJECT_ROOT}", "NET_GUARD_LOG": str(log)}
    env["NET_GUARD_PIDS"] = str(pids)
    result = subprocess.run(
        [sys.executable, str(tmp_path / "run.py")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["failed"] == 0 and outcome["refused"] is False
    assert log.read_text(encoding="utf-8") == "", "network attempts:\n" + log.read_text(encoding="utf-8")
    # the guard ran in the main process, the forkserver and at least one parsing worker
    assert len(set(pids.read_text(encoding="utf-8").split())) >= 3


def test_telemetry_switches_are_set_on_import() -> None:
    assert beleidsbron.__name__ == "beleidsbron"  # imported above, like every entry point does
    expected = {
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    for name, value in expected.items():
        assert os.environ.get(name) == value, name


def test_telemetry_switches_in_a_fresh_interpreter() -> None:
    """Importing the package is enough, whatever the environment did not set."""
    env = {k: v for k, v in os.environ.items() if k not in {"ANONYMIZED_TELEMETRY", "HF_HUB_OFFLINE"}}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    code = "import os, beleidsbron.store; print(os.environ['ANONYMIZED_TELEMETRY'], os.environ['HF_HUB_OFFLINE'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "1"]


@pytest.mark.slow  # the running app, with an upload
def test_the_app_stays_offline(demo_store: DemoStore, tmp_path: Path) -> None:
    """`app.py` with the guard in every process: start, questions, an upload with its ingest, the viewer.

    (The browser side is covered by the end-to-end tests: the page requests nothing outside 127.0.0.1.)
    """
    from gradio_client import Client

    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD_SOURCE, encoding="utf-8")
    log, pids = tmp_path / "attempts.jsonl", tmp_path / "guarded-pids.txt"
    log.touch()
    env = {
        "PYTHONPATH": f"{guard_dir}{os.pathsep}{PROJECT_ROOT}",
        "NET_GUARD_LOG": str(log),
        "NET_GUARD_PIDS": str(pids),
    }
    pdf = tmp_path / "notitie.pdf"
    text_pdf(pdf, ["Het buurtfonds Rozenhof in de gemeente Ambergen steunt elf bewonersinitiatieven per jaar."])
    with run_app(demo_store.settings.store_path, tmp_path / "app", env) as app:
        client = Client(app.url, verbose=False)
        assert "bb-source" in ask_api(client, QUESTION)[1]
        assert "ingelezen" in upload_api(client, pdf)
        for path in ("/", f"/viewer/{TWO_PDFS[0]}?page=2", f"/pdf-page/{TWO_PDFS[0]}/2.png", f"/pdf/{TWO_PDFS[0]}"):
            assert httpx.get(app.url + path, timeout=30).status_code == 200, path
    assert log.read_text(encoding="utf-8") == "", "network attempts:\n" + log.read_text(encoding="utf-8")
    assert len(set(pids.read_text(encoding="utf-8").split())) >= 2  # the app and its parsing workers
