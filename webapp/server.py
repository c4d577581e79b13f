"""The web server: FastAPI routes for the PDF viewer plus the mounted Gradio interface, one login.

App stage. Gradio's own login (when a username and password are configured) guards the interface and
its API; the PDF routes check the same session cookie, so every route is protected alike. The PDF routes
serve only the files the store recorded for its documents (:func:`webapp.pdf_view.stored_pdf`).
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount

from assistant.core import Assistant
from beleidsbron.ocr_boxes import load_page_words
from webapp import pdf_view
from webapp.feedback import FeedbackStore
from webapp.ui import CSS, build_ui

log = logging.getLogger(__name__)

THEME = gr.themes.Soft(
    primary_hue="blue",
    font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],  # no web fonts: works offline
    font_mono=["ui-monospace", "Consolas", "monospace"],
)


def _auth(assistant: Assistant) -> tuple[str, str] | None:
    s = assistant.settings
    if s.app_username and s.app_password:
        return (s.app_username, s.app_password.get_secret_value())
    return None


def create_app(assistant: Assistant) -> FastAPI:
    settings = assistant.settings
    feedback = FeedbackStore(settings.feedback_db, settings.public_dump())
    demo = build_ui(assistant, feedback)
    demo.queue(default_concurrency_limit=settings.app_chat_concurrency, max_size=settings.app_queue_size)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    auth = _auth(assistant)

    def require_login(request: Request) -> None:
        # Gradio has no public way to ask whether a request carries its login session (its own check,
        # ``get_current_user``, is local to ``gradio.routes.App.create_app``), so this reads the mounted
        # app's session cookie name and token table, as that check does (gradio 6: ``cookie_id``, ``tokens``).
        # ``auth_dependency`` would replace Gradio's login page instead of sharing it.
        if auth is None:
            return
        gradio_app = _gradio_app(app)
        cookie = f"access-token-{gradio_app.cookie_id}"
        token = request.cookies.get(cookie) or request.cookies.get(f"access-token-unsecure-{gradio_app.cookie_id}")
        if token not in gradio_app.tokens:
            raise HTTPException(status_code=401, detail="Log eerst in.")

    @app.exception_handler(pdf_view.NotServable)
    def refused(request: Request, exc: pdf_view.NotServable) -> HTMLResponse:
        log.warning("refused PDF request: %s", exc)
        return HTMLResponse(pdf_view.refusal_html(exc.message), status_code=exc.status)

    @app.get("/pdf/{name}")
    def serve_pdf(name: str, request: Request) -> FileResponse:
        require_login(request)
        doc, path = pdf_view.stored_pdf(name, assistant.document)
        return FileResponse(path, media_type="application/pdf", filename=doc.source, content_disposition_type="inline")

    @app.get("/pdf-page/{name}/{page}.png")
    def serve_page(name: str, page: int, request: Request) -> Response:
        require_login(request)
        doc, path = pdf_view.stored_pdf(name, assistant.document)
        if not 1 <= page <= pdf_view.page_count(path):
            raise HTTPException(status_code=404, detail="Deze pagina bestaat niet.")
        return Response(
            pdf_view.render_page(path, doc.content_hash, page),
            media_type="image/png",
            headers={"Cache-Control": "private, max-age=3600"},
        )

    @app.get("/viewer/{name}", response_class=HTMLResponse)
    def viewer(
        name: str, request: Request, page: int = Query(1, ge=1), q: str = Query("", max_length=2000)
    ) -> HTMLResponse:
        require_login(request)
        doc, path = pdf_view.stored_pdf(name, assistant.document)
        pages = pdf_view.page_count(path)
        page = min(page, pages)
        title = doc.title or name
        confidence = doc.ocr_confidence(page)
        scanned = load_page_words(settings.store_path, doc.content_hash, page) if confidence is not None else None
        if not q:
            boxes = []
        elif scanned is not None:
            boxes = pdf_view.ocr_highlight_boxes(scanned, q)
        else:
            boxes = pdf_view.highlight_boxes(path, page, q)
        return HTMLResponse(
            pdf_view.viewer_html(name, title, page, pages, q, boxes, confidence),
            headers={
                "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                "style-src 'unsafe-inline'; img-src 'self'"
            },
        )

    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth=auth,
        auth_message="Log in om Beleidsbron te gebruiken.",
        theme=THEME,
        css=CSS,
        max_file_size=int(settings.ingest.max_file_mb * 2**20),
        allowed_paths=[],
        ssr_mode=False,
        mcp_server=False,
        footer_links=[],
    )


def _gradio_app(app: FastAPI) -> Any:  # gradio's App type is internal
    for route in app.routes:
        if isinstance(route, Mount) and route.path in ("", "/"):
            return route.app
    raise RuntimeError("Gradio app is not mounted")
