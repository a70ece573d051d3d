"""The faithful mode of dbfork's moto launcher: moto answering as AWS documents.

Stock moto makes every resource `available` at once, checks no state, has no default groups and
knows few orderable instance classes. With the faithful mode on (the default; ``--no-faithful``
or ``DBFORK_FAITHFUL=0`` turns it off, ``POST /dbfork-emulator/config`` at run time) the RDS,
Aurora and DocumentDB API shows what AWS shows — see docs/aws-fidelity.md for each rule and its
AWS source. One module per concern:

- config     launch defaults, the live config, the lock every RDS request runs under
- states     transitional statuses (`creating`, `deleting`, …) applied at their due time (before
             each RDS request, and by a ticker thread so that events come on time)
- events     the RDS events AWS documents for those transitions, put on moto's default bus
- checks     the rules AWS enforces before it accepts a request
- defaults   default option / parameter groups that exist in every account
- orderable  DescribeOrderableDBInstanceOptions data and the orderable-class rule
- actions    the wrappers around moto's RDS actions that apply all of the above
- control    the /dbfork-emulator/config and /dbfork-emulator/events endpoints, the reset hook
"""

from __future__ import annotations

from typing import Any, Callable

from . import config, states


def install(attempt: Callable[[str, Callable[[], None]], None], launch_defaults: dict[str, Any], warn: Callable[[str], None]) -> None:
    """Apply every part through ``attempt`` (a part that no longer fits moto is reported, not fatal)."""
    config.set_launch_defaults(launch_defaults)

    def serialize_rds_requests() -> None:
        from moto.rds.responses import RDSResponse

        original = RDSResponse.call_action

        def call_action(self: Any) -> Any:
            with config.LOCK:
                states.advance()
                return original(self)

        RDSResponse.call_action = call_action

    def actions_part() -> None:
        from . import actions

        missing = actions.install()
        if missing:
            warn(f"faithful mode: moto has no RDS action {', '.join(missing)}; those stay stock")

    attempt("faithful-request-lock", serialize_rds_requests)
    attempt("faithful-cluster-status", states.install_cluster_status)
    attempt("faithful-actions", actions_part)

    def control_part() -> None:
        from . import control

        control.install()

    attempt("faithful-control-endpoint", control_part)
    attempt("faithful-transition-ticker", states.start_ticker)
