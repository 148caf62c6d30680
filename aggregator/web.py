"""`aggregator serve`: the read-only web front door (FastAPI, Jinja2 templates, no JavaScript).

Every search URL takes the CLI's option names as parameters (q, country, region, timezone,
strict_timezone, remote_only, worldwide, min_salary, currency, since, seniority, employment_type,
exclude_company, sort, page, limit); the page, /api/jobs, /feed.atom, /export.csv and /export.ndjson
all answer the same search (aggregator.query). An unknown or malformed parameter is a 400 that names
it. The engine it is given is read-only (aggregator.db.read_only_engine).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from feedgen.feed import FeedGenerator
from markupsafe import Markup
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from aggregator.normalise.text import sanitise_html
from aggregator.present import (
    api_job,
    csv_lines,
    job_posting,
    ndjson_lines,
    salary_text,
    timezone_text,
    where_text,
)
from aggregator.query import (
    COUNT_CAP,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_PAGE,
    FilterError,
    JobFilters,
    get_job,
    iter_jobs,
    recent_runs_by_board,
    search_jobs,
)

# No inline script anywhere: JSON-LD is a data block, which browsers never run.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
FEED_LIMIT = 50
PAGING = ("page", "limit")

STYLE = """body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#222}
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem}
form.search label{display:flex;flex-direction:column;font-size:.8rem}
input,select{font:inherit;padding:.25rem}
input[name=q]{min-width:20rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;
vertical-align:top}
.error{background:#fee;border:1px solid #c33;padding:.5rem}.muted{color:#666}.failed{color:#b00}
nav.pages a{margin-right:1rem}.description{max-width:50rem}
"""


class JobOut(BaseModel):
    id: int
    title: str
    company: str | None
    countries: list[str]
    regions: list[str]
    workplace: str
    worldwide: bool
    tz_min: float | None
    tz_max: float | None
    salary_min: float | None
    salary_max: float | None
    salary_currency: str | None
    salary_period: str | None
    salary_annual_min: float | None
    salary_annual_max: float | None
    seniority: str | None
    employment_type: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    status: str
    boards: int
    url: str | None


class JobsOut(BaseModel):
    total: int = Field(description=f"jobs matching, exact up to {COUNT_CAP}; with total_capped, at least this many")
    total_capped: bool = Field(description=f"more than {COUNT_CAP} jobs match (total is then {COUNT_CAP})")
    page: int
    limit: int
    jobs: list[JobOut]


class PostingOut(BaseModel):
    id: int
    source: str
    url: str
    apply_url: str | None
    title: str
    company: str | None
    salary_raw: str | None
    location_raw: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    dedup_reason: str | None
    dedup_score: float | None


class JobDetailOut(JobOut):
    postings: list[PostingOut]


class ErrorOut(BaseModel):
    error: str
    parameter: str | None = None


def _multi(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


def _whole(params: dict[str, list[str]], name: str, default: int, highest: int) -> int:
    given = params.get(name, [])
    if not given or given == [""]:
        return default
    if len(given) > 1:
        raise FilterError(name, "given more than once")
    try:
        number = int(given[0])
    except ValueError:
        raise FilterError(name, f"expected a whole number, not {given[0]!r}") from None
    if not 1 <= number <= highest:
        raise FilterError(name, f"between 1 and {highest}")
    return number


class Search:
    """A request's search: its filters (the configuration's excluded companies added) and paging."""

    def __init__(self, request: Request, exclude_companies: Sequence[str], default_limit: int = DEFAULT_LIMIT):
        params = _multi(request)
        self.asked = JobFilters.from_params(params, extra=PAGING)
        self.filters = self.asked.with_excluded(exclude_companies)
        self.page = _whole(params, "page", 1, MAX_PAGE)
        self.limit = _whole(params, "limit", default_limit, MAX_LIMIT)
        self.params = params

    def url(self, path: str, **changes: Any) -> str:
        """``path`` with this search's parameters (``changes`` replacing some; None drops one)."""
        params = {name: values for name, values in self.params.items()}
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = [str(value)]
        query = urlencode([(name, value) for name, values in params.items() for value in values if value.strip()])
        return path + ("?" + query if query else "")


def _search_parameters(
    q: str = Query("", description="full-text query (aggregator search's syntax); empty: every open job"),
    country: str | None = Query(None, description="ISO country code, e.g. DE"),
    region: str | None = Query(None, description="EMEA, LATAM, EUROPE, …"),
    timezone: str | None = Query(None, description="an offset or zone: UTC+2, -5:30, Europe/Berlin"),
    strict_timezone: str | None = Query(None, description="1: only jobs that state a time-zone window"),
    remote_only: str | None = Query(None, description="1: fully remote only"),
    worldwide: str | None = Query(None, description="1: open worldwide only"),
    # Declared as text: an empty form field means "no filter", and every value is checked by Search.
    min_salary: str | None = Query(None, description="a number: the job's yearly pay at least this (needs currency)"),
    currency: str | None = Query(None, description="ISO currency code, e.g. EUR"),
    since: str | None = Query(None, description="first seen since: 7d, 24h, 2w or a date"),
    seniority: str | None = Query(None),
    employment_type: str | None = Query(None),
    exclude_company: Annotated[list[str] | None, Query(description="leave out this company (repeatable)")] = None,
    sort: str | None = Query(None, description="relevance or newest"),
    page: str | None = Query(None, description=f"a whole number, 1 to {MAX_PAGE} (default 1)"),
    limit: str | None = Query(None, description=f"jobs a page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})"),
) -> None:
    """Declares the search parameters for the OpenAPI schema; Search reads and checks them."""


def _json_ld(value: dict) -> Markup:
    """JSON for a <script type="application/ld+json"> block: no "</script>" can close it early."""
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def create_app(engine: Engine, exclude_companies: Sequence[str] = ()) -> FastAPI:
    app = FastAPI(
        title="Remote job aggregator",
        summary="Open jobs from every crawled board, deduplicated: one row per job.",
        version="1",
        docs_url=None,  # the interactive docs load JavaScript from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    templates = Jinja2Templates(directory=str(resources.files("aggregator") / "templates"))
    templates.env.globals.update(salary_text=salary_text, where_text=where_text, timezone_text=timezone_text)
    excluded = tuple(exclude_companies)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def bad_request(request: Request, parameter: str | None, message: str) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/export") or "feed" in request.url.path:
            return JSONResponse({"error": message, "parameter": parameter}, status_code=400)
        return templates.TemplateResponse(
            request, "error.html", {"message": message, "parameter": parameter}, status_code=400
        )

    @app.exception_handler(FilterError)
    async def filter_error(request: Request, exc: FilterError):
        return bad_request(request, exc.parameter, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        parameter = str(first.get("loc", ["", "?"])[-1])
        return bad_request(request, parameter, f"{parameter}: {first.get('msg', 'invalid value')}")

    @app.get("/style.css", include_in_schema=False)
    def style() -> Response:
        return Response(STYLE, media_type="text/css")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request) -> Response:
        search = Search(request, excluded)
        found = search_jobs(engine, search.filters, page=search.page, limit=search.limit)
        pages = max(1, -(-found.total // search.limit))
        # A capped total does not say where the results end: a full page has a next one.
        more = search.page < pages or (found.total_capped and len(found.jobs) == search.limit)
        return templates.TemplateResponse(
            request,
            "search.html",
            {
                "search": search,
                "asked": search.asked,
                "found": found,
                "pages": pages,
                "previous_url": search.url("/", page=search.page - 1) if search.page > 1 else None,
                "next_url": search.url("/", page=search.page + 1) if more else None,
                "feed_url": search.url("/feed.atom", page=None, limit=None),
                "csv_url": search.url("/export.csv", page=None, limit=None),
                "ndjson_url": search.url("/export.ndjson", page=None, limit=None),
                "api_url": search.url("/api/jobs"),
            },
        )

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: int = Path(ge=1)) -> Response:
        if request.query_params:
            raise FilterError(next(iter(request.query_params)), "unknown parameter")
        job = get_job(engine, job_id)
        if job is None:
            return templates.TemplateResponse(
                request, "error.html", {"message": f"no job {job_id}", "parameter": None}, status_code=404
            )
        best = next((p for p in job["postings"] if p["url"] == job["url"]), job["postings"][0])
        description = sanitise_html(best["description_html"])
        ld = job_posting(job, description)
        return templates.TemplateResponse(
            request,
            "job.html",
            {"job": job, "description": Markup(description) if description else None, "json_ld": _json_ld(ld)},
        )

    @app.get(
        "/api/jobs",
        response_model=JobsOut,
        responses={400: {"model": ErrorOut, "description": "an unknown or malformed parameter, named"}},
        summary="Open jobs matching a search, one per job, paged",
    )
    def api_jobs(request: Request, _: None = Depends(_search_parameters)) -> dict:
        search = Search(request, excluded)
        found = search_jobs(engine, search.filters, page=search.page, limit=search.limit)
        return {"total": found.total, "total_capped": found.total_capped, "page": found.page, "limit": found.limit,
                "jobs": [api_job(job) for job in found.jobs]}  # fmt: skip

    @app.get(
        "/api/jobs/{job_id}",
        response_model=JobDetailOut,
        responses={404: {"model": ErrorOut}, 400: {"model": ErrorOut}},
        summary="One job with every posting of it across boards",
    )
    def api_job_detail(request: Request, job_id: int = Path(ge=1)) -> Any:
        if request.query_params:
            raise FilterError(next(iter(request.query_params)), "unknown parameter")
        job = get_job(engine, job_id)
        if job is None:
            return JSONResponse({"error": f"no job {job_id}", "parameter": "job_id"}, status_code=404)
        return api_job(job) | {"postings": [{k: v for k, v in p.items() if k in PostingOut.model_fields}
                                            for p in job["postings"]]}  # fmt: skip

    @app.get(
        "/feed.atom",
        summary="Atom feed of a search (its newest matches)",
        response_class=Response,
        responses={200: {"content": {"application/atom+xml": {}}}, 400: {"model": ErrorOut}},
    )
    def feed(request: Request, _: None = Depends(_search_parameters)) -> Response:
        search = Search(request, excluded, default_limit=FEED_LIMIT)
        newest = JobFilters(**{**search.filters.__dict__, "sort": "newest"})
        found = search_jobs(engine, newest, page=search.page, limit=search.limit)
        base = str(request.base_url).rstrip("/")
        generator = FeedGenerator()
        generator.id(base + search.url("/feed.atom"))
        generator.title(f"Jobs: {search.asked.q or 'all open jobs'}")
        generator.link(href=base + search.url("/feed.atom"), rel="self")
        generator.link(href=base + search.url("/", page=None, limit=None), rel="alternate")
        generator.updated(max((job["first_seen_at"] for job in found.jobs), default=datetime(2000, 1, 1, tzinfo=UTC)))
        for job in reversed(found.jobs):  # feedgen puts the last added first
            entry = generator.add_entry()
            entry.id(f"{base}/jobs/{job['id']}")
            entry.title(job["title"] + (f" — {job['company']}" if job["company"] else ""))
            entry.link(href=f"{base}/jobs/{job['id']}")
            entry.updated(job["first_seen_at"])
            entry.published(job["first_seen_at"])
            entry.summary(" · ".join(part for part in (where_text(job), salary_text(job)) if part) or job["title"])
        return Response(generator.atom_str(pretty=True), media_type="application/atom+xml")

    def export(request: Request, lines, media_type: str, extension: str) -> StreamingResponse:
        search = Search(request, excluded)  # checked here, before the first byte is sent
        if search.params.get("page", [""]) != [""] or search.params.get("limit", [""]) != [""]:
            raise FilterError("page" if "page" in search.params else "limit", "exports hold every match: no paging")
        return StreamingResponse(
            lines(iter_jobs(engine, search.filters)),
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="jobs.{extension}"'},
        )

    @app.get("/export.csv", summary="Every job of a search as CSV (streamed)", response_class=Response,
             responses={200: {"content": {"text/csv": {}}}, 400: {"model": ErrorOut}})  # fmt: skip
    def export_csv(request: Request, _: None = Depends(_search_parameters)) -> StreamingResponse:
        return export(request, csv_lines, "text/csv; charset=utf-8", "csv")

    @app.get("/export.ndjson", summary="Every job of a search as NDJSON (streamed)", response_class=Response,
             responses={200: {"content": {"application/x-ndjson": {}}}, 400: {"model": ErrorOut}})  # fmt: skip
    def export_ndjson(request: Request, _: None = Depends(_search_parameters)) -> StreamingResponse:
        return export(request, ndjson_lines, "application/x-ndjson", "ndjson")

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page(request: Request) -> Response:
        if request.query_params:
            raise FilterError(next(iter(request.query_params)), "unknown parameter")
        return templates.TemplateResponse(request, "runs.html", {"boards": recent_runs_by_board(engine)})

    @app.get("/robots.txt", include_in_schema=False)
    def robots() -> PlainTextResponse:
        return PlainTextResponse("User-agent: *\nDisallow: /export\n")

    return app
