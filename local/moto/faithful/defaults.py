"""Default option and parameter groups exist, as in every AWS account.

AWS names them ``default:<engine>-<major with dashes>`` (option groups, e.g. ``default:mysql-8-0``,
``default:postgres-16``) and ``default.<family>`` (DB and DB cluster parameter groups, e.g.
``default.mysql8.0``, ``default.aurora-postgresql16``, ``default.docdb5.0``); an instance created
without a group is a member of them. RDS User Guide, "Working with option groups"
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithOptionGroups.html: "a
default option group ... is created for you") and "Working with parameter groups"
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.html).

Stock moto has none of them until an instance happens to create the DB parameter group, so a
restore naming ``default:mysql-8-0`` fails with OptionGroupNotFoundFault. They are made here
the first time a request names one (or an instance is given one by default).
"""

from __future__ import annotations

import re
from typing import Any

# Engines whose major version is one number (PostgreSQL 10 and later); others use two.
ONE_NUMBER_MAJOR = ("postgres", "aurora-postgresql")
KNOWN_ENGINES = ("aurora-postgresql", "aurora-mysql", "postgres", "mysql", "mariadb", "docdb", "aurora")
_OPTION_GROUP = re.compile(r"^default:(?P<engine>[a-z0-9-]+?)-(?P<major>\d+(?:-\d+)?)$")
_PARAMETER_GROUP = re.compile(r"^default\.(?P<family>(?P<engine>[a-z-]+?)(?P<version>\d+(?:\.\d+)?))$")


def major_version(engine: str, engine_version: str) -> str:
    parts = str(engine_version).split(".")
    if engine in ONE_NUMBER_MAJOR or engine == "docdb" and len(parts) < 2:
        return parts[0]
    return ".".join(parts[:2])


def default_option_group_name(engine: str, engine_version: str) -> str:
    return f"default:{engine}-{major_version(engine, engine_version).replace('.', '-')}"


def ensure_option_group(backend: Any, name: str | None) -> None:
    from moto.rds.models import OptionGroup

    match = _OPTION_GROUP.match(name or "")
    if not match or match["engine"] not in KNOWN_ENGINES or name in backend.option_groups:
        return
    engine, major = match["engine"], match["major"].replace("-", ".")
    backend.option_groups[name] = OptionGroup(
        backend,
        option_group_name=name,
        engine_name=engine,
        major_engine_version=major,
        option_group_description=f"Default option group for {engine} {major}",
    )


def _family(name: str | None) -> str | None:
    match = _PARAMETER_GROUP.match(name or "")
    if not match or match["engine"] not in KNOWN_ENGINES:
        return None
    return match["family"]


def ensure_parameter_group(backend: Any, name: str | None) -> None:
    from moto.rds.models import DBParameterGroup

    family = _family(name)
    if family is None or name in backend.db_parameter_groups:
        return
    backend.db_parameter_groups[name] = DBParameterGroup(
        backend,
        db_parameter_group_name=name,
        description=f"Default parameter group for {family}",
        db_parameter_group_family=family,
    )


def ensure_cluster_parameter_group(backend: Any, name: str | None) -> None:
    from moto.rds.models import DBClusterParameterGroup

    family = _family(name)
    if family is None or name in backend.db_cluster_parameter_groups:
        return
    backend.db_cluster_parameter_groups[name] = DBClusterParameterGroup(
        backend,
        db_cluster_parameter_group_name=name,
        description=f"Default cluster parameter group for {family}",
        db_parameter_group_family=family,
    )


def ensure_named_in(backend: Any, params: dict[str, Any]) -> None:
    """Make the default groups a request names (any action that takes a group name)."""
    ensure_option_group(backend, params.get("OptionGroupName"))
    ensure_parameter_group(backend, params.get("DBParameterGroupName"))
    ensure_cluster_parameter_group(backend, params.get("DBClusterParameterGroupName"))


def give_instance_defaults(backend: Any, instance: Any) -> None:
    """An instance created without groups is a member of its engine's defaults, which exist."""
    engine, version = getattr(instance, "engine", None), getattr(instance, "engine_version", None)
    if not engine or not version or type(instance).__name__ == "DBInstanceClustered":
        return  # a cluster's instances take their groups from the cluster (moto raises on option groups)
    current = getattr(instance, "option_group_name", None)
    if current and current.startswith("default:"):
        # moto names it after the full version for PostgreSQL (default:postgres-16-3); AWS: default:postgres-16
        instance.option_group_name = default_option_group_name(engine, version)
    ensure_option_group(backend, getattr(instance, "option_group_name", None))
    try:
        groups = instance.db_parameter_groups()  # moto makes the default DB parameter group here
    except Exception:  # noqa: BLE001 - an instance shape moto does not give groups to
        groups = []
    for group in groups:
        ensure_parameter_group(backend, group.name)


def give_cluster_defaults(backend: Any, cluster: Any) -> None:
    ensure_cluster_parameter_group(backend, getattr(cluster, "parameter_group", None))
