"""The emulator's faithful-mode settings: launch defaults, the live copy, one lock.

The live copy is changed through ``POST /dbfork-emulator/config`` and goes back to the launch
defaults on ``POST /moto-api/reset``. Every RDS request runs under ``LOCK`` (moto's backends are
plain dicts, and werkzeug serves requests on several threads), so a request sees one config.
"""

from __future__ import annotations

import copy
import os
import threading
from typing import Any

LOCK = threading.RLock()

# The kinds of wait the faithful mode simulates; each has its own delay.
DELAY_KINDS = ("restore", "create", "snapshot", "passwordReset", "modify", "delete")
# A few seconds: long enough for a person running `npm run local` to see `creating`.
DEFAULT_DELAY_MS = 3000

# AWS statuses a restore can end in instead of `available` (DBInstance.DBInstanceStatus /
# DBCluster.Status values listed in the RDS User Guide, "Viewing Amazon RDS DB instance status"
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html and
# "Viewing DB cluster status" in the Aurora User Guide).
FAILURE_STATUSES = (
    "failed",
    "incompatible-credentials",
    "incompatible-network",
    "incompatible-option-group",
    "incompatible-parameters",
    "incompatible-restore",
    "inaccessible-encryption-credentials",
    "restore-error",
    "storage-full",
)


def _launch_defaults(faithful: bool, delay_ms: int, drop_fraction: float = 0.0) -> dict[str, Any]:
    return {
        "faithful": faithful,
        "delaysMs": dict.fromkeys(DELAY_KINDS, delay_ms),
        # nextRestore: the status the next restore ends in; restoreTargets: per target identifier.
        "failures": {"nextRestore": None, "restoreTargets": {}},
        # dropFraction: the share of RDS events not put on the bus (RDS events are best effort).
        "events": {"dropFraction": drop_fraction},
    }


def launch_defaults_from(args: list[str], env: dict[str, str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Read ``--no-faithful`` / ``--faithful`` / ``--faithful-delay-ms N`` (removed from ``args``)
    and ``DBFORK_FAITHFUL`` / ``DBFORK_FAITHFUL_DELAY_MS`` / ``DBFORK_FAITHFUL_DROP_EVENTS`` (a
    fraction 0..1); flags win over the environment."""
    env = dict(os.environ) if env is None else env
    faithful = env.get("DBFORK_FAITHFUL", "1").strip().lower() not in ("0", "false", "off", "no")
    delay_ms = _int_or(env.get("DBFORK_FAITHFUL_DELAY_MS"), DEFAULT_DELAY_MS)
    drop_fraction = _fraction_or(env.get("DBFORK_FAITHFUL_DROP_EVENTS"), 0.0)
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--no-faithful":
            faithful = False
        elif arg == "--faithful":
            faithful = True
        elif arg == "--faithful-delay-ms" and i + 1 < len(args):
            delay_ms = _int_or(args[i + 1], delay_ms)
            i += 1
        else:
            rest.append(arg)
        i += 1
    return _launch_defaults(faithful, delay_ms, drop_fraction), rest


def _int_or(raw: str | None, fallback: int) -> int:
    try:
        value = int(str(raw))
    except ValueError:
        return fallback
    return value if value >= 0 else fallback


def _fraction_or(raw: str | None, fallback: float) -> float:
    try:
        value = float(str(raw))
    except ValueError:
        return fallback
    return value if 0.0 <= value <= 1.0 else fallback


_launch: dict[str, Any] = _launch_defaults(True, DEFAULT_DELAY_MS)
_current: dict[str, Any] = copy.deepcopy(_launch)


def set_launch_defaults(defaults: dict[str, Any]) -> None:
    global _launch, _current
    with LOCK:
        _launch = copy.deepcopy(defaults)
        _current = copy.deepcopy(defaults)


def reset() -> None:
    global _current
    with LOCK:
        _current = copy.deepcopy(_launch)


def snapshot() -> dict[str, Any]:
    with LOCK:
        return copy.deepcopy(_current)


def faithful() -> bool:
    return bool(_current["faithful"])


def drop_fraction() -> float:
    return float(_current.get("events", {}).get("dropFraction", 0.0))


def delay_seconds(kind: str) -> float:
    return max(0, int(_current["delaysMs"].get(kind, 0))) / 1000.0


class ConfigError(ValueError):
    pass


def update(patch: dict[str, Any]) -> dict[str, Any]:
    """Merge a partial config (same shape as ``snapshot()``; ``delayMs`` sets every delay)."""
    if not isinstance(patch, dict):
        raise ConfigError("the body must be a JSON object")
    with LOCK:
        updated = copy.deepcopy(_current)
        for key, value in patch.items():
            if key == "faithful":
                if not isinstance(value, bool):
                    raise ConfigError("faithful must be true or false")
                updated["faithful"] = value
            elif key == "delayMs":
                updated["delaysMs"] = dict.fromkeys(DELAY_KINDS, _valid_delay("delayMs", value))
            elif key == "delaysMs":
                if not isinstance(value, dict):
                    raise ConfigError("delaysMs must be an object")
                for kind, ms in value.items():
                    if kind not in DELAY_KINDS:
                        raise ConfigError(f"unknown delay kind {kind!r}; known: {', '.join(DELAY_KINDS)}")
                    updated["delaysMs"][kind] = _valid_delay(f"delaysMs.{kind}", ms)
            elif key == "failures":
                updated["failures"] = _valid_failures(value, updated["failures"])
            elif key == "events":
                updated["events"] = _valid_events(value, updated["events"])
            else:
                raise ConfigError(f"unknown setting {key!r}")
        _current.clear()
        _current.update(updated)
        return copy.deepcopy(_current)


def _valid_delay(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{name} must be a whole number of milliseconds >= 0")
    return value


def _valid_events(value: Any, current: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError("events must be an object")
    events = copy.deepcopy(current)
    for key, item in value.items():
        if key != "dropFraction":
            raise ConfigError(f"unknown events setting {key!r}")
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not 0 <= item <= 1:
            raise ConfigError("events.dropFraction must be a number from 0 to 1")
        events["dropFraction"] = float(item)
    return events


def _valid_status(name: str, value: Any) -> str | None:
    if value is None or value in FAILURE_STATUSES:
        return value
    raise ConfigError(f"{name} must be null or one of {', '.join(FAILURE_STATUSES)}")


def _valid_failures(value: Any, current: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError("failures must be an object")
    failures = copy.deepcopy(current)
    for key, item in value.items():
        if key == "nextRestore":
            failures["nextRestore"] = _valid_status("failures.nextRestore", item)
        elif key == "restoreTargets":
            if not isinstance(item, dict):
                raise ConfigError("failures.restoreTargets must be an object")
            failures["restoreTargets"] = {
                str(target).lower(): _valid_status(f"failures.restoreTargets.{target}", status)
                for target, status in item.items()
            }
        else:
            raise ConfigError(f"unknown failure setting {key!r}")
    return failures


def take_restore_failure(target_identifier: str) -> str | None:
    """The status a restore of ``target_identifier`` must end in, or None for `available`."""
    failures = _current["failures"]
    by_target = failures["restoreTargets"].get(target_identifier.lower())
    if by_target:
        return by_target
    status = failures["nextRestore"]
    failures["nextRestore"] = None
    return status
