"""``/dbfork-emulator/config``: read and change the faithful mode of a running emulator;
``/dbfork-emulator/events``: the RDS events it emitted or dropped.

    GET  /dbfork-emulator/config   -> the current config (JSON)
    POST /dbfork-emulator/config   {"faithful": true, "delaysMs": {"restore": 200}, "delayMs": 50,
                                    "failures": {"nextRestore": "restore-error",
                                                 "restoreTargets": {"fork-1": "incompatible-network"}},
                                    "events": {"dropFraction": 0.5}}
                                   -> the config after the change (400 with {"error"} when invalid)
    GET  /dbfork-emulator/events   -> {"events": [{"event": {source, detail-type, resources, detail},
                                                   "dropped": false}, ...]} (oldest first, last 1000)
    DELETE /dbfork-emulator/events -> forgets them

``POST /moto-api/reset`` also puts the config back to the launch defaults and forgets pending
transitions (they point at resources the reset removed) and the event log.
"""

from __future__ import annotations

import json
from typing import Any

from . import config, events, states

PATH = "/dbfork-emulator/config"
EVENTS_PATH = "/dbfork-emulator/events"


def _answer(start_response: Any, status: str, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def handle(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    if method == "GET":
        return _answer(start_response, "200 OK", config.snapshot())
    if method != "POST":
        return _answer(start_response, "405 Method Not Allowed", {"error": "use GET or POST"})
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length > 0 else b"{}"
        body = json.loads(raw.decode("utf-8") or "{}")
        with config.LOCK:
            was_faithful = config.faithful()
            updated = config.update(body)
            if was_faithful and not updated["faithful"]:
                # Turning the mode off: finish what was pending at once rather than never.
                states.advance(float("inf"))
        return _answer(start_response, "200 OK", updated)
    except (ValueError, config.ConfigError) as error:
        return _answer(start_response, "400 Bad Request", {"error": str(error)})


def handle_events(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    if method == "GET":
        return _answer(start_response, "200 OK", {"events": events.log()})
    if method == "DELETE":
        events.clear()
        return _answer(start_response, "200 OK", {"events": []})
    return _answer(start_response, "405 Method Not Allowed", {"error": "use GET or DELETE"})


def install() -> None:
    """Serve PATH in front of moto's own dispatcher, and reset the config with moto."""
    from moto.moto_api._internal.models import MotoAPIBackend
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original_call = DomainDispatcherApplication.__call__

    def call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "").rstrip("/")
        if path == PATH:
            return handle(environ, start_response)
        if path == EVENTS_PATH:
            return handle_events(environ, start_response)
        return original_call(self, environ, start_response)

    DomainDispatcherApplication.__call__ = call

    original_reset = MotoAPIBackend.reset

    def reset(self: Any) -> None:
        with config.LOCK:
            original_reset(self)
            states.clear()
            config.reset()
            events.clear()

    MotoAPIBackend.reset = reset
