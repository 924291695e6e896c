"""Data the province configures: reference data (org units, agencies, procedures), what each
agency may write, the indicator definitions and the plans' targets."""

from catalog.reference import (
    Agency,
    OrgUnit,
    OrgUnitLevel,
    Procedure,
    Province,
    ReferenceDataError,
    available_provinces,
    committee_of,
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
    "committee_of",
    "load_province",
]
