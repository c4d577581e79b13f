"""Small real tmpfs mounts for read-only and full-disk tests (we run as root; chmod would not stop root)."""

from __future__ import annotations

import contextlib
import gc
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromadb.api.client import SharedSystemClient


def release_store() -> None:
    """Drop Chroma's per-process client cache: the next open reads the files afresh, and no handle
    keeps a mount busy (the Rust bindings close their files when collected)."""
    SharedSystemClient.clear_system_cache()
    gc.collect()


@contextlib.contextmanager
def tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    mountpoint.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount permission): {exc}")
    try:
        yield mountpoint
    finally:
        release_store()
        if subprocess.run(["umount", str(mountpoint)], capture_output=True, timeout=30).returncode:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, timeout=30)


def remount(mountpoint: Path, options: str) -> None:
    release_store()
    subprocess.run(["mount", "-o", f"remount,{options}", str(mountpoint)], check=True, timeout=30)
