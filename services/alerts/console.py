"""The operator console: one HTML page, its script and its style, from this origin only (every
response carries the strict Content Security Policy of origin.py: nothing inline). The page
reads the names of every code from the API (/v1/vocabulary): the script holds none."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

HERE = Path(__file__).parent / "console"

router = APIRouter(include_in_schema=False)
static = StaticFiles(directory=HERE / "static")


@router.get("/")
@router.get("/targets/{target_id}")
@router.get("/plan")
@router.get("/scorecard")
async def page() -> FileResponse:
    return FileResponse(
        HERE / "index.html", headers={"Cache-Control": "no-cache"}, media_type="text/html"
    )
