"""Site profiles: packaged ones load, user ones are added, broken ones name file and field."""

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from baokan.config import Settings
from baokan.sites import SiteProfileError, get_site, load_catalog, load_sites

SHIPPED = Path(__file__).resolve().parents[1] / "baokan" / "profiles"

GOOD = """
id = "mypaper"
publication = "我的报"
family = "founder_new"
base_url = "http://paper.example.cn/"
entry = "pc/layout/{yyyymm}/{dd}/node_01.html"
"""


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, warehouse="duckdb:///x", sites_dir=tmp_path)


def test_packaged_sample_profile() -> None:
    site = get_site("sample", Settings(data_dir=Path("."), warehouse="", sites_dir=None))
    assert site.publication == "高新样报"
    assert site.entry_url(date(2025, 12, 29)) == (
        "http://paper.sample.baokan.invalid/pc/layout/202512/29/node_A1.html"
    )
    assert site.entry_url(date(2025, 12, 29), "http://127.0.0.1:9/x") == (
        "http://127.0.0.1:9/x/pc/layout/202512/29/node_A1.html"
    )


def test_user_profile_from_sites_dir(tmp_path: Path) -> None:
    (tmp_path / "mypaper.toml").write_text(GOOD, encoding="utf-8")
    sites = load_sites(_settings(tmp_path))
    assert {"sample", "mypaper"} <= set(sites)
    assert sites["mypaper"].selector("body")  # family default fills what the profile omits


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda s: s.replace('family = "founder_new"', 'family = "nosuch"'), "family"),
        (
            lambda s: s.replace('base_url = "http://paper.example.cn/"', 'base_url = "ftp://x"'),
            "base_url",
        ),
        (lambda s: s.replace('publication = "我的报"\n', ""), "publication"),
        (lambda s: s + '\n[selectors]\nnosuch = "p"\n', "selectors"),
        (lambda s: s + "\nextra = 1\n", "extra"),
        (lambda s: s + '\nschedule = "daily"\n', "schedule"),
        (lambda s: s + "\nmin_pdf_html_similarity = 3\n", "min_pdf_html_similarity"),
    ],
)
def test_broken_profile_error_names_file_and_field(
    tmp_path: Path, edit: Callable[[str], str], field: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(edit(GOOD), encoding="utf-8")
    with pytest.raises(SiteProfileError) as err:
        get_site("mypaper", _settings(tmp_path))
    assert str(path) in str(err.value) and field in str(err.value)


def test_unparseable_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("id = ", encoding="utf-8")
    with pytest.raises(SiteProfileError, match=r"bad\.toml"):
        get_site("bad", _settings(tmp_path))


def test_unknown_site_lists_known_ones() -> None:
    with pytest.raises(SiteProfileError, match="sample"):
        get_site("nosuch", Settings(data_dir=Path("."), warehouse="", sites_dir=None))


@pytest.mark.parametrize("bad_id", ["../etc", "My Paper", "a/b", ""])
def test_profile_id_cannot_name_a_path(tmp_path: Path, bad_id: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(GOOD.replace('id = "mypaper"', f'id = "{bad_id}"'), encoding="utf-8")
    with pytest.raises(SiteProfileError, match=r"p\.toml.*'id'"):
        get_site("p", _settings(tmp_path))


def _write_dir(tmp_path: Path) -> Path:
    """A sites dir with one good profile, one unparseable file and one with a bad entry."""
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "mypaper.toml").write_text(GOOD, encoding="utf-8")
    (sites / "garbled.toml").write_text('id = "garbled"\npublication = \n', encoding="utf-8")
    (sites / "wrong.toml").write_text(
        GOOD.replace("mypaper", "wrongid").replace("{dd}", "{nope}"), encoding="utf-8"
    )
    return sites


def test_a_broken_profile_breaks_only_itself(tmp_path: Path) -> None:
    sites_dir = _write_dir(tmp_path)
    settings = Settings(data_dir=tmp_path, warehouse="duckdb:///x", sites_dir=sites_dir)
    catalog = load_catalog(settings)
    assert {"sample", "rmrb", "mypaper"} <= set(catalog.sites)
    assert set(catalog.broken) == {"garbled", "wrongid"}
    assert str(sites_dir / "garbled.toml") in str(catalog.broken["garbled"])
    assert "field 'entry'" in str(catalog.broken["wrongid"])
    assert get_site("mypaper", settings).publication == "我的报"
    with pytest.raises(SiteProfileError, match=r"wrong\.toml: field 'entry': unknown placeholder"):
        get_site("wrongid", settings)


def _baokan(args: list[str], sites_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    env |= {"BAOKAN_SITES_DIR": str(sites_dir), "BAOKAN_DATA_DIR": str(tmp_path / "data")}
    env |= {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    baokan = Path(sys.executable).with_name("baokan")
    return subprocess.run(
        [str(baokan), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_cli_lists_the_broken_profile_and_other_sites_still_run(
    tmp_path: Path, sample_url: str
) -> None:
    sites_dir = _write_dir(tmp_path)
    listed = _baokan(["sites"], sites_dir, tmp_path)
    assert listed.returncode == 1  # a broken profile is a problem worth an exit code
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert {"sample", "mypaper", "garbled", "wrongid"} <= set(lines)
    assert "BROKEN" in lines["wrongid"] and str(sites_dir / "wrong.toml") in lines["wrongid"]
    assert "field 'entry'" in lines["wrongid"]
    ran = _baokan(
        ["ingest", "sample", "--date", "2025-12-29", "--base-url", sample_url], sites_dir, tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    assert "sample 2025-12-29: complete" in ran.stdout
    assert "wrong.toml" in ran.stderr  # still reported, not fatal


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (lambda s: s.replace("{dd}", "{nope}"), "entry", "unknown placeholder {nope}"),
        (lambda s: s.replace("{dd}", "{date.year}"), "entry", "{date.year}"),
        (lambda s: s.replace("{dd}", "{x[0]}"), "entry", "{x[0]}"),
        (lambda s: s.replace("{dd}", "{}"), "entry", "unknown placeholder"),
        (lambda s: s.replace("{dd}", "{dd!r}"), "entry", "no conversion"),
        (lambda s: s.replace("{dd}", "{dd:>4}"), "entry", "format spec"),
        (lambda s: s.replace("{dd}", "{dd"), "entry", "malformed"),
        (lambda s: s + '\n[selectors]\nbody = "p:::x"\n', "selectors.body", "invalid CSS"),
        (lambda s: s + '\n[selectors]\ntitle = "a["\n', "selectors.title", "invalid CSS"),
        (lambda s: s + '\ncharset = "base64"\n', "charset", "not a text encoding"),
        (lambda s: s + '\ncharset = "rot13"\n', "charset", "not a text encoding"),
        (lambda s: s + '\ncharset = "zlib"\n', "charset", "not a text encoding"),
        (lambda s: s + '\ncharset = "gb9999"\n', "charset", "unknown charset"),
        (lambda s: s + '\nschedule = "60 6 * * *"\n', "schedule", "minute"),
        (lambda s: s + '\nschedule = "0 24 * * *"\n', "schedule", "hour"),
        (lambda s: s + '\nschedule = "0 6 0 * *"\n', "schedule", "day of month"),
        (lambda s: s + '\nschedule = "0 6 * 13 *"\n', "schedule", "month"),
        (lambda s: s + '\nschedule = "0 6 * * 8"\n', "schedule", "day of week"),
        (lambda s: s + '\nschedule = "*/0 6 * * *"\n', "schedule", "minute"),
        (lambda s: s + '\nschedule = "0 6 * * mon-"\n', "schedule", "day of week"),
        (lambda s: s + '\nschedule = "@daily"\n', "schedule", "5-field"),
        (lambda s: s + '\nschedule = "0 6 * * * *"\n', "schedule", "5-field"),
        (lambda s: s.replace("我的报", "我的\\u0000报"), "publication", "NUL"),
        (lambda s: s + '\n[selectors]\nbody = "p\\u0000"\n', "selectors.body", "NUL"),
        (lambda s: s + '\ndrop_query = ["a", "\\u0000"]\n', "drop_query[1]", "NUL"),
    ],
)
def test_load_time_validation_names_file_field_and_reason(
    tmp_path: Path, edit: Callable[[str], str], field: str, reason: str
) -> None:
    path = tmp_path / "v.toml"
    path.write_text(edit(GOOD), encoding="utf-8")
    with pytest.raises(SiteProfileError) as err:
        get_site("mypaper", _settings(tmp_path))
    message = str(err.value)
    assert message.startswith(f"{path}: field '{field}'") and reason in message, message


@pytest.mark.parametrize(
    "schedule",
    ["30 6 * * *", "0 6 * * 1", "*/15 0-23/2 1,15 * *", "0 6 * jan-mar mon-fri", "0 6 * * 7"],
)
def test_valid_schedules_still_accepted(tmp_path: Path, schedule: str) -> None:
    from croniter import croniter  # what Airflow's CronTriggerTimetable parses with

    assert croniter.is_valid(schedule)
    (tmp_path / "s.toml").write_text(GOOD + f'\nschedule = "{schedule}"\n', encoding="utf-8")
    assert get_site("mypaper", _settings(tmp_path)).schedule == schedule


def test_every_shipped_profile_passes_the_checks() -> None:
    catalog = load_catalog(Settings(data_dir=Path("."), warehouse="", sites_dir=None))
    assert catalog.broken == {} and catalog.notes == ()
    assert set(catalog.sites) == {p.stem for p in SHIPPED.glob("*.toml")}


def test_user_profile_with_a_shipped_id_replaces_it_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user = tmp_path / "people.toml"
    user.write_text(GOOD.replace('"mypaper"', '"rmrb"'), encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="baokan.sites")
    for _ in range(3):
        sites = load_sites(_settings(tmp_path))
    assert sites["rmrb"].source == str(user) and sites["rmrb"].publication == "我的报"
    warned = [r.getMessage() for r in caplog.records if "replaces" in r.getMessage()]
    assert len(warned) == 1, warned
    assert str(user) in warned[0] and str(SHIPPED / "rmrb.toml") in warned[0]


def test_broken_user_profile_with_a_shipped_id_takes_that_site_out(tmp_path: Path) -> None:
    (tmp_path / "rmrb.toml").write_text("id = \n", encoding="utf-8")
    catalog = load_catalog(_settings(tmp_path))
    assert "rmrb" not in catalog.sites and "rmrb" in catalog.broken
    assert any(str(SHIPPED / "rmrb.toml") in note for note in catalog.notes)
    assert "sample" in catalog.sites


def test_sites_dir_that_is_not_a_directory_is_a_note(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, warehouse="", sites_dir=tmp_path / "nosuch")
    catalog = load_catalog(settings)
    assert "sample" in catalog.sites
    assert any("nosuch is not a directory" in note for note in catalog.notes)
    with pytest.raises(SiteProfileError, match="nosuch is not a directory"):
        get_site("mypaper", settings)
