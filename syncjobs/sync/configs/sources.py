"""Config models of the SQL source and the API presets (Stripe, Close)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from syncjobs.sync.configs.base import StrictModel, secret_field, url_field
from syncjobs.sync.configs.http import PrimaryKey

STRIPE_ENTITIES = ("customers", "subscriptions", "charges", "invoices", "products", "prices")
CLOSE_ENTITIES = ("leads", "opportunities", "activities", "contacts", "users")

StripeEntity = Literal["customers", "subscriptions", "charges", "invoices", "products", "prices"]
CloseEntity = Literal["leads", "opportunities", "activities", "contacts", "users"]


class SqlTableOptions(StrictModel):
    primary_key: PrimaryKey | None = Field(
        None, description="key columns when the table declares none (or to override it)"
    )
    cursor_field: str | None = Field(
        None, description="column that grows on every change (e.g. updated_at) for incremental"
    )


class SqlSourceConfig(StrictModel):
    type: Literal["sql"] = "sql"
    url: str = url_field(
        "SQLAlchemy URL: postgresql://user:pw@host/db, mysql+pymysql://..., sqlite:///file.db"
    )
    schema_: str | None = Field(
        None, alias="schema", description="schema to read tables from (None: the default)"
    )
    entities: dict[str, SqlTableOptions] = Field(
        default_factory=dict, description="per-table options, keyed by table name"
    )
    batch_rows: int = Field(
        100_000, ge=100, le=1_000_000, description="rows per read page (keyset pagination)"
    )


class StripeSourceConfig(StrictModel):
    type: Literal["stripe"] = "stripe"
    api_key: SecretStr = secret_field("Stripe secret or restricted key (sk_... / rk_...)")
    entities: list[StripeEntity] | None = Field(None, description="entities to offer (None: all)")
    base_url: str = Field("https://api.stripe.com/v1", description="API root (for tests)")
    requests_per_second: float | None = Field(
        20.0, gt=0, description="Stripe allows 25 reads/s in live mode; stay under it"
    )


class CloseSourceConfig(StrictModel):
    type: Literal["close"] = "close"
    api_key: SecretStr = secret_field("Close API key (sent as the basic-auth user name)")
    entities: list[CloseEntity] | None = Field(None, description="entities to offer (None: all)")
    base_url: str = Field("https://api.close.com/api/v1", description="API root (for tests)")
    requests_per_second: float | None = Field(10.0, gt=0, description="rate limit")
