"""The plans' pictures on the page: the one route that serves them, their addresses, and their records.

Served by a route of our own on the server Gradio runs (not Gradio's `allowed_paths`, which would open
the whole corpus folder, plan texts included, at absolute paths fixed at launch): it answers only
`planqa/pictures/<plan id>.images/<name>` for a plan that is loaded now (so a plan added or removed on
the 规划管理 tab is served or refused at once), only picture types, only a file that really lies in that
folder once links are resolved, and behind the page's login when it has one. Everything else is 404.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse

from ..models import Document
from ..pictures import PictureRecord

ROUTE = "/planqa/pictures/{folder}/{name}"
# Relative, so it resolves against the page's own address (a root_path behind a proxy included).
URL_PREFIX = "planqa/pictures/"
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".webp": "image/webp", ".bmp": "image/bmp"}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}(\.[A-Za-z0-9]{1,5})$")
FOLDER_SUFFIX = ".images"


def picture_url(file: str) -> str:
    """The page's address for a picture file ("<id>.images/<hash>.jpg", relative to the corpus folder)."""
    return URL_PREFIX + quote(file, safe="/")


def picture_path(documents: list[Document], folder: str, name: str) -> Path | None:
    """The file a request names, or None unless it is a picture in the folder of a loaded plan."""
    m = _NAME_RE.match(name or "")
    if not m or m.group(1).lower() not in IMAGE_TYPES or not folder.endswith(FOLDER_SUFFIX):
        return None
    doc = next((d for d in documents if f"{d.id}{FOLDER_SUFFIX}" == folder), None)
    if doc is None or not doc.source_path:
        return None
    base = (Path(doc.source_path).parent / folder).resolve()
    path = (base / name).resolve()  # a link pointing out of the folder resolves elsewhere and is refused
    return path if path.parent == base and path.is_file() else None


@lru_cache(maxsize=256)
def _load(path: str, stamp: int) -> PictureRecord | None:  # noqa: ARG001 (stamp: re-read when the file changes)
    try:
        return PictureRecord.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def picture_record(doc: Document, file: str) -> PictureRecord | None:
    """The record kept beside a picture of `doc` (its size, title and lines), None when there is none."""
    if not file.startswith(f"{doc.id}{FOLDER_SUFFIX}/") or not doc.source_path:
        return None
    path = (Path(doc.source_path).parent / file).with_suffix(".json")
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    return _load(str(path), stamp)


class Pictures:
    """Records by (plan, file) over the plans loaded now (read at each use: a reload swaps them)."""

    def __init__(self, documents: Callable[[], list[Document]]) -> None:
        self.documents = documents

    def record(self, doc_id: str | None, file: str) -> PictureRecord | None:
        doc = next((d for d in self.documents() if d.id == doc_id), None)
        return picture_record(doc, file) if doc else None


def add_picture_route(app: FastAPI, documents: Callable[[], list[Document]]) -> None:
    """Serve the loaded plans' pictures on Gradio's own server (`app`: Blocks.server_app, once launched)."""

    async def signed_in(request: Request) -> bool:
        # As Gradio's own routes decide (routes.App, get_current_user): with a login, the request must carry
        # the session cookie the login set, or pass the app's auth_dependency. Anything missing: refused.
        dependency = getattr(app, "auth_dependency", None)
        if getattr(app, "auth", None) is None and dependency is None:
            return True
        if dependency is not None:
            user = dependency(request)
            return (await user if inspect.isawaitable(user) else user) is not None
        cookie = getattr(app, "cookie_id", None)
        token = cookie and (request.cookies.get(f"access-token-{cookie}")
                            or request.cookies.get(f"access-token-unsecure-{cookie}"))
        return bool(token) and getattr(app, "tokens", {}).get(token) is not None

    async def picture(folder: str, name: str, request: Request) -> FileResponse:
        path = picture_path(documents(), folder, name) if await signed_in(request) else None
        if path is None:
            raise HTTPException(status_code=404, detail="Not Found")
        return FileResponse(path, media_type=IMAGE_TYPES[path.suffix.lower()],
                            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"})

    app.add_api_route(ROUTE, picture, methods=["GET", "HEAD"], include_in_schema=False)
