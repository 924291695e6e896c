"""Data the province configures: reference data (org units, agencies, procedures) today; the
indicator definitions and plan targets share this catalog."""

from catalog.reference import (
    Agency,
    OrgUnit,
    OrgUnitLevel,
    Procedure,
    Province,
    ReferenceDataError,
    available_provinces,
    load_province,
)

__all__ = [
    "Agency",
    "OrgUnit",
    "OrgUnitLevel",
    "Procedure",
    "Province",
    "ReferenceDataError",
    "available_provinces",
    "load_province",
]
