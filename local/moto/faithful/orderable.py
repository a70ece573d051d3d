"""DescribeOrderableDBInstanceOptions for the engines dbfork forks, and the orderable-class rule.

Stock moto 5.2.1 answers only aurora-postgresql and neptune (an empty list otherwise). The data
(orderable.json) is a small, hand-kept extract of the classes AWS lists per engine; its
``_sources`` name the AWS pages. Options have the fields of the SDK's OrderableDBInstanceOption
shape, one per (engine version, class, storage type), as AWS lists them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import errors

DATA_FILE = Path(__file__).with_name("orderable.json")
AVAILABILITY_ZONES = [{"Name": f"us-east-1{zone}"} for zone in "abc"]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def served_engines() -> set[str]:
    return set(_data()["engines"])


def _options_of(engine: str, versions: list[str]) -> list[dict[str, Any]]:
    spec = _data()["engines"][engine]
    family = _data()["families"][spec["family"]]
    rds_storage = family.get("storage")
    options = []
    for version in versions:
        for instance_class in family["classes"]:
            for storage_type in family["storageTypes"]:
                option: dict[str, Any] = {
                    "Engine": engine,
                    "EngineVersion": version,
                    "DBInstanceClass": instance_class,
                    "LicenseModel": spec["licenseModel"],
                    "AvailabilityZones": AVAILABILITY_ZONES,
                    "MultiAZCapable": True,
                    "ReadReplicaCapable": True,
                    "Vpc": True,
                    "SupportsStorageEncryption": True,
                    "StorageType": storage_type,
                    "SupportsIops": storage_type in ("io1", "io2", "gp3"),
                    "SupportsStorageThroughput": storage_type == "gp3",
                    "SupportsEnhancedMonitoring": engine != "docdb",
                    "SupportsIAMDatabaseAuthentication": engine != "docdb",
                    "SupportsPerformanceInsights": engine != "docdb",
                    "SupportedEngineModes": ["provisioned"],
                    "SupportsClusters": family["supportsClusters"],
                    "SupportedNetworkTypes": ["IPV4", "DUAL"],
                }
                if rds_storage:
                    option["MinStorageSize"] = rds_storage["minGiB"]
                    option["MaxStorageSize"] = rds_storage["maxGiB"]
                    option["SupportsStorageAutoscaling"] = True
                options.append(option)
    return options


def describe(params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The options matching the request's filters, or None for an engine not served here."""
    engine = params.get("Engine")
    if engine not in served_engines():
        return None
    wanted = {
        "EngineVersion": params.get("EngineVersion"),
        "DBInstanceClass": params.get("DBInstanceClass"),
        "LicenseModel": params.get("LicenseModel"),
    }
    vpc = params.get("Vpc")
    # AWS lists every version it supports; the data file keeps classes per engine and names only a
    # few versions. A version it does not name (a source on 15.4, say) gets the engine's classes too:
    # answering nothing would refuse every class for a real source.
    listed = list(_data()["engines"][str(engine)]["versions"])
    version = wanted["EngineVersion"]
    versions = [str(version)] if version and version not in listed else listed
    options = []
    for option in _options_of(str(engine), versions):
        if any(value and option[key] != value for key, value in wanted.items()):
            continue
        if vpc is not None and str(vpc).lower() == "false":
            continue  # every option here is a VPC option (EC2-Classic is gone)
        options.append(option)
    return options


def is_orderable(engine: str, instance_class: str) -> bool:
    family = _data()["engines"][engine]["family"]
    return instance_class in _data()["families"][family]["classes"]


def check_orderable(engine: str | None, instance_class: str | None, engine_version: str | None) -> None:
    """Reject a class AWS does not offer for the engine (classes are checked per engine, not per
    version: the version list here is short, and refusing what AWS accepts would be worse)."""
    if not engine or not instance_class or engine not in served_engines():
        return
    if is_orderable(engine, instance_class):
        return
    license_model = _data()["engines"][engine]["licenseModel"]
    # The message AWS gives, as reported verbatim in github.com/elastic/beats/issues/38473 (mysql)
    # and github.com/cn-terraform/terraform-aws-sonarqube/issues/88 (an Aurora cluster instance).
    raise errors.invalid_parameter_combination(
        "RDS does not support creating a DB instance with the following combination: "
        f"DBInstanceClass={instance_class}, Engine={engine}, EngineVersion={engine_version or ''}, "
        f"LicenseModel={license_model}. For supported combinations of instance class and database "
        "engine version, see the documentation."
    )
