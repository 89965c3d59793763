"""Site profiles: packaged ones load, user ones are added, broken ones name file and field."""

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from baokan.config import Settings
from baokan.sites import SiteProfileError, get_site, load_sites

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
        load_sites(_settings(tmp_path))
    assert str(path) in str(err.value) and field in str(err.value)


def test_unparseable_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("id = ", encoding="utf-8")
    with pytest.raises(SiteProfileError, match=r"bad\.toml"):
        load_sites(_settings(tmp_path))


def test_unknown_site_lists_known_ones() -> None:
    with pytest.raises(SiteProfileError, match="sample"):
        get_site("nosuch", Settings(data_dir=Path("."), warehouse="", sites_dir=None))


@pytest.mark.parametrize("bad_id", ["../etc", "My Paper", "a/b", ""])
def test_profile_id_cannot_name_a_path(tmp_path: Path, bad_id: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(GOOD.replace('id = "mypaper"', f'id = "{bad_id}"'), encoding="utf-8")
    with pytest.raises(SiteProfileError, match=r"p\.toml.*'id'"):
        load_sites(_settings(tmp_path))
