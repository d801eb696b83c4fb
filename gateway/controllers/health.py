"""Liveness and readiness."""

import asyncio

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from redis.exceptions import RedisError

from gateway.openapi import errors
from gateway.state import Services


class HealthController(Controller):
    """`/healthz` (process up) and `/readyz` (Redis and broker reachable)."""

    tags = ["health"]

    @get("/healthz", summary="The process is up")
    async def healthz(self) -> dict[str, str]:
        """Always ok while the process serves."""
        return {"status": "ok"}

    @get("/readyz", summary="Redis and the broker answer", responses=errors(503))
    async def readyz(self, services: NamedDependency[Services]) -> Response[dict[str, str]]:
        """200 when Redis and the broker's Redis answer a PING, else 503 naming which failed."""
        state = {"redis": "ok", "broker": "ok"}
        try:
            await services.client.ping()
        except (RedisError, OSError) as exc:
            state["redis"] = f"error: {exc}"
        try:
            await asyncio.to_thread(services.broker.client.ping)
        except (RedisError, OSError) as exc:
            state["broker"] = f"error: {exc}"
        ok = all(v == "ok" for v in state.values())
        return Response({"status": "ok" if ok else "unavailable", **state}, status_code=200 if ok else 503)
