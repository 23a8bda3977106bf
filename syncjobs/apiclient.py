"""A small client of the syncjobs HTTP API, for the command line."""

from __future__ import annotations

from typing import Any

import httpx

from syncjobs.errors import SyncJobsError


class ApiError(SyncJobsError):
    code = "API_ERROR"


class ApiClient:
    """Calls one workspace's routes with its API key; the workspace is found from the key."""

    def __init__(self, url: str, key: str, *, timeout: float = 30.0) -> None:
        self._http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout,
                                  headers={"Authorization": f"Bearer {key}"})
        self.workspace_id = str(self.get("/api/workspaces/me")["id"])

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ws(self, path: str) -> str:
        return f"/api/workspaces/{self.workspace_id}{path}"

    def get(self, path: str, **params: Any) -> Any:
        return self._answer(self._call("GET", path, params=params or None))

    def post(self, path: str, json: Any = None) -> Any:
        return self._answer(self._call("POST", path, json=json))

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise ApiError(f"cannot reach syncjobs at {self._http.base_url}: "
                           f"{type(exc).__name__}",
                           hint="is `syncjobs serve` running? set --url / SYNCJOBS_URL") from None

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                body = response.json()
                detail = body.get("message") or body.get("detail")
            except ValueError:
                detail = response.text[:200]
            raise ApiError(f"{response.request.method} {response.request.url.path}: "
                           f"{response.status_code} {detail}")
        return response.json() if response.content else None

    def find_job(self, name_or_id: str) -> dict[str, Any]:
        for job in self.get(self.ws("/sync-jobs")):
            if name_or_id in (job["id"], job["name"]):
                return dict(job)
        raise ApiError(f"no sync job named or with id {name_or_id!r} in this workspace",
                       hint="`syncjobs jobs list` shows them")

    def find_execution(self, execution_id: str) -> tuple[str, dict[str, Any]]:
        """(job id, execution) for an execution id, searching each job's history."""
        for job in self.get(self.ws("/sync-jobs")):
            try:
                return job["id"], self.get(self.ws(f"/sync-jobs/{job['id']}/executions/"
                                                   f"{execution_id}"))
            except ApiError:
                continue
        raise ApiError(f"no execution {execution_id!r} in this workspace")
