"""Config models of the HTTP sources: REST entities, auth, pagination, incremental, GraphQL."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, SecretStr

from syncjobs.sync.configs.base import (
    StrictModel,
    named_secrets_field,
    secret_field,
    url_field,
)


class NoAuth(StrictModel):
    type: Literal["none"] = "none"


class BearerAuth(StrictModel):
    type: Literal["bearer"] = "bearer"
    token: SecretStr = secret_field("sent as `Authorization: Bearer <token>`")


class ApiKeyAuth(StrictModel):
    type: Literal["api_key"] = "api_key"
    name: str = Field("X-API-Key", description="header or query parameter that carries the key")
    value: SecretStr = secret_field("the API key")
    location: Literal["header", "query"] = Field("header", description="where the key is sent")


class BasicAuth(StrictModel):
    type: Literal["basic"] = "basic"
    username: str = Field(description="user name for HTTP basic auth")
    password: SecretStr = secret_field("password for HTTP basic auth", default=SecretStr(""))


Auth = Annotated[NoAuth | BearerAuth | ApiKeyAuth | BasicAuth, Field(discriminator="type")]


class _Stop(StrictModel):
    has_more_path: str | None = Field(
        None, description="dotted path of a boolean in the body; false ends the pages"
    )
    total_path: str | None = Field(
        None, description="dotted path of the total record count in the body"
    )


class NoPagination(StrictModel):
    type: Literal["none"] = "none"


class OffsetPagination(_Stop):
    type: Literal["offset"] = "offset"
    limit: int = Field(100, ge=1, description="records per page")
    limit_param: str = Field("limit", description="query parameter of the page size")
    offset_param: str = Field("offset", description="query parameter of the offset")


class PagePagination(_Stop):
    type: Literal["page"] = "page"
    page_size: int | None = Field(100, ge=1, description="records per page (None: server default)")
    page_param: str = Field("page", description="query parameter of the page number")
    size_param: str | None = Field("per_page", description="query parameter of the page size")
    first_page: int = Field(1, ge=0, description="number of the first page")
    total_pages_path: str | None = Field(None, description="dotted path of the page count")


class CursorPagination(_Stop):
    type: Literal["cursor"] = "cursor"
    cursor_param: str = Field("cursor", description="query parameter that sends the cursor")
    cursor_path: str | None = Field(
        None, description="dotted path of the next cursor in the body (empty/null ends)"
    )
    cursor_record_field: str | None = Field(
        None, description="or: field of the last record used as cursor (Stripe's starting_after)"
    )
    page_size: int | None = Field(None, ge=1, description="records per page")
    size_param: str | None = Field(None, description="query parameter of the page size")


class NextUrlPagination(StrictModel):
    type: Literal["next_url"] = "next_url"
    next_url_path: str = Field("next", description="dotted path of the next page's URL")


class LinkHeaderPagination(StrictModel):
    type: Literal["link_header"] = "link_header"
    rel: str = Field("next", description="relation of the next page in the Link header")


Pagination = Annotated[
    NoPagination | OffsetPagination | PagePagination | CursorPagination | NextUrlPagination
    | LinkHeaderPagination,
    Field(discriminator="type"),
]


class Incremental(StrictModel):
    cursor_field: str = Field(description="field of each record that grows on every change")
    param: str | None = Field(
        None, description="query parameter (REST) or variable (GraphQL) sending the lower bound"
    )
    format: Literal["iso8601", "unix"] = Field("iso8601", description="format of the lower bound")
    value_template: str | None = Field(
        None, description='template of the parameter value, e.g. \'date_updated >= "{value}"\''
    )
    initial_value: str | int | None = Field(None, description="lower bound of the first run")


def _as_key(value: Any) -> Any:
    keys = [value] if isinstance(value, str) else value
    if isinstance(keys, list) and (not keys or not all(keys)):
        raise ValueError("primary_key needs at least one non-empty field name")
    return keys


PrimaryKey = Annotated[list[str], BeforeValidator(_as_key)]


class RestEntity(StrictModel):
    name: str = Field(description="entity name; the destination table is {prefix}{name}")
    path: str = Field(description="path appended to base_url, or an absolute URL")
    method: Literal["GET", "POST"] = Field("GET", description="HTTP method")
    params: dict[str, Any] = named_secrets_field("fixed query parameters")
    json_body: dict[str, Any] | None = named_secrets_field("JSON body for POST", optional=True)
    data_path: str | None = Field(
        None, description="dotted path of the record list in the body (None: the body itself)"
    )
    primary_key: PrimaryKey = Field(["id"], description="field(s) identifying a record")
    pagination: Pagination = Field(default_factory=NoPagination, description="how pages follow")
    incremental: Incremental | None = Field(None, description="how to fetch only changes")



class RestSourceConfig(StrictModel):
    type: Literal["rest"] = "rest"
    base_url: str = url_field("common prefix of every entity's path, e.g. https://api.x/v1")
    headers: dict[str, str] = named_secrets_field("extra HTTP headers sent with every request")
    auth: Auth = Field(default_factory=NoAuth, description="how requests authenticate")
    entities: list[RestEntity] = Field(min_length=1, description="the endpoints to sync")
    requests_per_second: float | None = Field(None, gt=0, description="rate limit (None: none)")
    timeout: float = Field(30.0, gt=0, description="seconds per request")
    max_retries: int = Field(5, ge=0, le=20, description="retries of a transient failure")


class GraphQLQuery(StrictModel):
    name: str = Field(description="entity name; the destination table is {prefix}{name}")
    query: str = Field(description="GraphQL query text; takes the cursor variable")
    variables: dict[str, Any] = named_secrets_field("fixed variables")
    data_path: str = Field(description="dotted path of the record list, e.g. data.users.nodes")
    has_next_page_path: str | None = Field(
        None, description="dotted path of hasNextPage, e.g. data.users.pageInfo.hasNextPage"
    )
    end_cursor_path: str | None = Field(
        None, description="dotted path of endCursor, e.g. data.users.pageInfo.endCursor"
    )
    cursor_variable: str = Field("after", description="variable that receives the end cursor")
    primary_key: PrimaryKey = Field(["id"], description="field(s) identifying a record")
    incremental: Incremental | None = Field(
        None, description="cursor_field and the variable (param) sending the lower bound"
    )



class GraphQLSourceConfig(StrictModel):
    type: Literal["graphql"] = "graphql"
    endpoint: str = url_field("URL of the GraphQL endpoint")
    headers: dict[str, str] = named_secrets_field("HTTP headers, e.g. Authorization")
    auth: Auth = Field(default_factory=NoAuth, description="how requests authenticate")
    queries: list[GraphQLQuery] = Field(min_length=1, description="one named query per entity")
    requests_per_second: float | None = Field(None, gt=0, description="rate limit (None: none)")
    timeout: float = Field(30.0, gt=0, description="seconds per request")
    max_retries: int = Field(5, ge=0, le=20, description="retries of a transient failure")
