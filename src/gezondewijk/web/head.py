"""``HEAD`` for every ``GET`` route: the same status and headers, no body (RFC 9110 §9.3.2).

FastAPI registers ``GET`` routes for ``GET`` only, so link checkers, uptime monitors and
``curl -I`` got 405 on ``/kaart``, ``/c/{code}`` and ``/docs``. This pure ASGI middleware runs
a ``HEAD`` request as ``GET`` and drops the body on its way out. A stream (the workshop's
live updates) ends after its headers: the app is told the client went away.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Answer ``HEAD`` as ``GET`` without a body (see the module notes)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``HEAD`` as ``GET``; pass anything else on unchanged."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        done = False

        async def headers_only(message: Message) -> None:
            nonlocal done
            if done:
                return
            if message["type"] == "http.response.body":
                done = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        async def receive_until_done() -> Message:
            if done:
                return {"type": "http.disconnect"}
            return await receive()

        await self.app({**scope, "method": "GET"}, receive_until_done, headers_only)
