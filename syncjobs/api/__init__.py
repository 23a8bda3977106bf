"""The HTTP API: FastAPI routers that read and write the store and send events."""
