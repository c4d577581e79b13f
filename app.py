"""Beleidsbron web app: ``python app.py [--host H] [--port P] [--store DIR]``.

Top of the flow (corpus → ingest → store → assistant → *app*). Parses options, makes sure the store
holds documents (the first start ingests the bundled demo corpus, with a progress bar), loads the
assistant once and serves the chat, library and check tabs on http://127.0.0.1:7860 by default.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import beleidsbron  # noqa: F401  (switches off telemetry and hub look-ups before gradio/chroma load)
from beleidsbron.settings import Settings, get_settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python app.py", description="Start the Beleidsbron web app.")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 7860)")
    parser.add_argument("--store", type=Path, help="store folder (default data/store)")
    return parser.parse_args(argv)


def ensure_store(settings: Settings) -> None:
    """Ingest the bundled corpus when the store is missing or empty (first start)."""
    from beleidsbron.store import Store, StoreError
    from ingest.__main__ import main as ingest_main

    try:
        if Store.open(settings).chunk_count() > 0:
            return
    except StoreError:
        pass
    print("Empty store: ingesting the bundled demo corpus first…", flush=True)
    if ingest_main([str(settings.corpus_path), "--store", str(settings.store_path)]) != 0:
        print("warning: some files could not be ingested (see the table above)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    updates = {k: v for k, v in {"app_host": args.host, "app_port": args.port, "store_path": args.store}.items() if v}
    settings = settings.model_copy(update=updates)
    started = time.perf_counter()
    if not settings.chroma_url:
        ensure_store(settings)

    import uvicorn

    from assistant.core import Assistant
    from beleidsbron.store import StoreError
    from webapp.server import create_app

    try:
        assistant = Assistant(settings)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    app = create_app(assistant)
    print(
        f"Beleidsbron ready in {time.perf_counter() - started:.1f} s: http://{settings.app_host}:{settings.app_port}",
        flush=True,
    )
    uvicorn.run(app, host=settings.app_host, port=settings.app_port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
