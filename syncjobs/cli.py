"""The `syncjobs` command: serve, migrate, demo, workspace and jobs subcommands."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from syncjobs.settings import Settings

app = typer.Typer(help="syncjobs: scheduled data syncs, orchestrated as Inngest functions.",
                  no_args_is_help=True, add_completion=False)
workspace_app = typer.Typer(help="Manage workspaces.", no_args_is_help=True)
jobs_app = typer.Typer(help="List, run and watch sync jobs (through the HTTP API).",
                       no_args_is_help=True)
app.add_typer(workspace_app, name="workspace")
app.add_typer(jobs_app, name="jobs")

Home = Annotated[Path | None, typer.Option(envvar="SYNCJOBS_HOME", help="data folder",
                                           show_default=".syncjobs")]
DbUrl = Annotated[str | None, typer.Option("--database-url", envvar="SYNCJOBS_DATABASE_URL",
                                           help="metadata DB URL (default: SQLite in home)")]
Url = Annotated[str, typer.Option("--url", envvar="SYNCJOBS_URL",
                                  help="where syncjobs serves its API")]
Key = Annotated[str, typer.Option("--key", envvar="SYNCJOBS_API_KEY",
                                  help="a workspace API key")]
DEFAULT_URL = "http://127.0.0.1:8080"


def build_settings(home: Path | None = None, database_url: str | None = None,
                   **overrides: Any) -> Settings:
    """Settings from the environment, with command-line options on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if home is not None:
        given["home"] = home
    if database_url is not None:
        given["database_url"] = database_url
    return Settings(**given)


def fail(message: str) -> typer.Exit:
    typer.secho(message, fg="red", err=True)
    return typer.Exit(1)


def migrate_all(settings: Settings) -> None:
    """Apply every migration: the store's, then the engine's."""
    from syncjobs.engine import migrate as migrate_engine
    from syncjobs.store import Database, migrate

    db = Database(settings.metadata_url)
    try:
        migrate(db.engine)
        migrate_engine(db.engine)
    finally:
        db.dispose()


def print_demo(settings: Settings, *, only_if_empty: bool) -> None:
    from syncjobs.context import AppContext
    from syncjobs.demo import ensure_demo
    from syncjobs.functions.client import app_url

    ctx = AppContext.build(settings)
    try:
        info = ensure_demo(ctx, app_url(settings), only_if_empty=only_if_empty)
    finally:
        ctx.db.dispose()
    if info is None:
        return
    url = app_url(settings)
    what = "created the demo workspace" if info.created else "new key for the demo workspace"
    typer.secho(f"\n  {what}: a job syncs {url}/demo-api into "
                f"{settings.warehouse_path} every minute", fg="green", err=True)
    typer.secho(f"  dashboard: {url}/", err=True)
    typer.secho(f"  demo API key (shown once): {info.api_key}\n", bold=True, err=True)


@app.command()
def serve(
    home: Home = None,
    database_url: DbUrl = None,
    host: Annotated[str | None, typer.Option(envvar="SYNCJOBS_HOST", help="address to listen on",
                                             show_default="127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(envvar="SYNCJOBS_PORT", help="port to listen on",
                                             show_default="8080")] = None,
    engine: Annotated[str | None, typer.Option(envvar="SYNCJOBS_ENGINE",
                                               help="embedded or inngest",
                                               show_default="embedded")] = None,
    demo: Annotated[bool, typer.Option("--demo/--no-demo", envvar="SYNCJOBS_DEMO",
                                       help="create the demo workspace on an empty database"
                                       )] = True,
    workers: Annotated[int | None, typer.Option(envvar="SYNCJOBS_WORKERS",
                                                help="server processes sharing the port",
                                                show_default="1")] = None,
) -> None:
    """Serve the API, the dashboard and (by default) the embedded engine."""
    import uvicorn

    from syncjobs.app import create_app
    from syncjobs.context import cipher_for
    from syncjobs.errors import SyncJobsError
    from syncjobs.logs import configure

    options = {"host": host, "port": port, "engine": engine, "demo": demo, "workers": workers}
    try:
        settings = build_settings(home, database_url, **options)
        configure(settings.log_format, settings.log_level)
        migrate_all(settings)
        if settings.demo and settings.engine == "embedded":
            print_demo(settings, only_if_empty=True)
        if settings.workers == 1:
            application = create_app(settings)
        else:
            cipher_for(settings)  # the key file, made once: racing workers would each pick a key
    except SyncJobsError as exc:
        raise fail(f"cannot start: {exc}") from None
    typer.echo(f"syncjobs listening on http://{settings.host}:{settings.port}/ "
               f"(engine: {settings.engine}, workers: {settings.workers})", err=True)
    if settings.workers == 1:
        uvicorn.run(application, host=settings.host, port=settings.port, log_level="warning")
        return
    with tempfile.TemporaryDirectory(prefix="syncjobs-metrics-") as shared:
        # The demo was made (or not) once, above.
        _export_to_workers(home=settings.home.resolve(), database_url=database_url,
                           **{**options, "demo": False})
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", shared)
        uvicorn.run("syncjobs.app:app_from_environment", factory=True, workers=settings.workers,
                    host=settings.host, port=settings.port, log_level="warning")


def _export_to_workers(**given: Any) -> None:
    """Worker processes read their settings from the environment: pass the options on."""
    for name, value in given.items():
        if value is not None:
            os.environ[f"SYNCJOBS_{name.upper()}"] = str(value)


@app.command()
def migrate(home: Home = None, database_url: DbUrl = None) -> None:
    """Apply the metadata DB migrations (serve also does it at start)."""
    migrate_all(build_settings(home, database_url))
    typer.echo("metadata database is up to date")


@app.command("demo")
def demo_command(home: Home = None, database_url: DbUrl = None) -> None:
    """Create the demo workspace now (or a new key for it) and print its API key."""
    settings = build_settings(home, database_url)
    migrate_all(settings)
    print_demo(settings, only_if_empty=False)


@app.command("rotate-keys")
def rotate_keys(home: Home = None, database_url: DbUrl = None) -> None:
    """Re-encrypt every stored credential with the first key of SYNCJOBS_SECRET_KEYS."""
    from syncjobs.context import AppContext
    from syncjobs.errors import SyncJobsError
    from syncjobs.store import connectors

    settings = build_settings(home, database_url)
    migrate_all(settings)
    ctx = AppContext.build(settings)
    try:
        with ctx.db.session() as session:
            count = connectors.rotate_all(session, ctx.cipher)
    except SyncJobsError as exc:
        raise fail(str(exc)) from None
    finally:
        ctx.db.dispose()
    typer.echo(f"{count} configs re-encrypted with the first key; older keys may now go")


@workspace_app.command("create")
def workspace_create(
    name: Annotated[str, typer.Argument(help="workspace name")],
    home: Home = None,
    database_url: DbUrl = None,
) -> None:
    """Create a workspace and print its API key (shown once)."""
    from syncjobs.store import Database, workspaces

    if not name.strip() or len(name) > 200:
        raise typer.BadParameter("a workspace name is 1 to 200 characters", param_hint="NAME")
    settings = build_settings(home, database_url)
    migrate_all(settings)
    db = Database(settings.metadata_url)
    try:
        with db.session() as session:
            workspace, key = workspaces.create(session, name.strip())
    finally:
        db.dispose()
    typer.echo(f"workspace {workspace.name} created: id {workspace.id}")
    typer.echo(f"API key (shown once): {key}")


@jobs_app.command("list")
def jobs_list(key: Key, url: Url = DEFAULT_URL) -> None:
    """A table of the workspace's jobs: schedule, next run, last run."""
    from rich.console import Console
    from rich.table import Table

    from syncjobs.apiclient import ApiClient, ApiError

    try:
        with ApiClient(url, key) as api:
            rows = api.get(api.ws("/sync-jobs"))
    except ApiError as exc:
        raise fail(str(exc)) from None
    table = Table("name", "id", "mode", "schedule", "next run (UTC)", "last run", "records")
    for job in rows:
        sched = job["schedule"]
        last = job.get("last_execution") or {}
        table.add_row(
            job["name"], job["id"], job["sync_mode"],
            f"{sched['description']} ({sched['timezone']})" if sched else "on demand",
            (job["next_run_at"] or "-")[:19] if job["enabled"] else "paused",
            last.get("status", "-"), str(last.get("records_processed", "-")),
        )
    Console().print(table)


@jobs_app.command("run")
def jobs_run(
    job: Annotated[str, typer.Argument(help="job name or id")],
    key: Key,
    url: Url = DEFAULT_URL,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="follow it to its end")] = False,
) -> None:
    """Run a job now; with --wait, show its progress and exit non-zero if it fails."""
    from syncjobs.apiclient import ApiClient, ApiError
    from syncjobs.cli_progress import follow

    try:
        with ApiClient(url, key) as api:
            found = api.find_job(job)
            started = api.post(api.ws(f"/sync-jobs/{found['id']}/run"))
            typer.echo(f"execution {started['execution_id']} queued", err=True)
            if started.get("message"):
                typer.echo(started["message"], err=True)
            if not wait:
                typer.echo(started["execution_id"])
                return
            final = follow(api, found["id"], started["execution_id"])
    except ApiError as exc:
        raise fail(str(exc)) from None
    if final["status"] != "completed":
        error = final.get("error") or {}
        raise fail(f"{final['status']}: {error.get('code', '')} {error.get('message', '')}")


@jobs_app.command("logs")
def jobs_logs(
    execution: Annotated[str, typer.Argument(help="execution id")],
    key: Key,
    url: Url = DEFAULT_URL,
    follow_: Annotated[bool, typer.Option("--follow", "-f",
                                          help="keep printing until it ends")] = False,
) -> None:
    """Print an execution's log; --follow tails it until the execution ends."""
    from syncjobs.apiclient import ApiClient, ApiError

    try:
        with ApiClient(url, key) as api:
            job_id, _execution = api.find_execution(execution)
            after = -1
            while True:
                page = api.get(api.ws(f"/sync-jobs/{job_id}/executions/{execution}/logs"),
                               after=after)
                for line in page["items"]:
                    typer.echo(f"{line['ts'][:19]} {line['level']:<7} {line['message']}")
                after = page["next_after"]
                if not follow_ or (page["status"] not in ("queued", "running")
                                   and not page["items"]):
                    break
                if not page["items"]:
                    time.sleep(1)
    except ApiError as exc:
        raise fail(str(exc)) from None


def main() -> None:
    app(prog_name="syncjobs")


if __name__ == "__main__":
    main()
