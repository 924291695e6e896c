"""Demo credentials of a province's agencies: a new key for each, shown once and stored only as
its SHA-256 in the registry the ingest service reads."""

from pathlib import Path

from catalog import load_province
from infra.keys import demo_keys


def demo_credentials(province: str, directory: Path) -> tuple[Path, Path]:
    """`agencies.yaml` (hashes, for ingest) and `agency-keys.json` (keys, for the simulator):
    one key per agency of the province, departments and commune committees."""
    holders: dict[str, dict[str, str]] = {code: {} for code in load_province(province).agencies}
    return demo_keys(directory, "agencies", "agency-keys.json", holders)
