"""The `syncjobs` command: serve, migrate, workspace and jobs subcommands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from syncjobs.settings import Settings

app = typer.Typer(help="syncjobs: scheduled data syncs, orchestrated as Inngest functions.",
                  no_args_is_help=True, add_completion=False)
workspace_app = typer.Typer(help="Manage workspaces.", no_args_is_help=True)
app.add_typer(workspace_app, name="workspace")

Home = Annotated[Path | None, typer.Option(envvar="SYNCJOBS_HOME", help="data folder",
                                           show_default=".syncjobs")]
DbUrl = Annotated[str | None, typer.Option("--database-url", envvar="SYNCJOBS_DATABASE_URL",
                                           help="metadata DB URL (default: SQLite in home)")]


def build_settings(home: Path | None = None, database_url: str | None = None,
                   **overrides: Any) -> Settings:
    """Settings from the environment, with command-line options on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if home is not None:
        given["home"] = home
    if database_url is not None:
        given["database_url"] = database_url
    return Settings(**given)


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
) -> None:
    """Serve the API, the dashboard and (by default) the embedded engine."""
    import uvicorn

    from syncjobs.app import create_app

    settings = build_settings(home, database_url, host=host, port=port, engine=engine)
    application = create_app(settings)
    typer.echo(f"syncjobs listening on http://{settings.host}:{settings.port}/", err=True)
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="warning")


@app.command()
def migrate(home: Home = None, database_url: DbUrl = None) -> None:
    """Apply the metadata DB migrations (serve also does it at start)."""
    settings = build_settings(home, database_url)
    migrate_all(settings)
    typer.echo("metadata database is up to date")


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


def main() -> None:
    app()
