"""Seed files: only name and start_urls needed; every mistake named with its fix."""

from pathlib import Path

import pytest

from crawler.errors import SeedError
from crawler.seeds import load_seed, load_seeds

PROJECT_SEEDS = Path(__file__).parent.parent / "seeds"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_seed_gets_polite_defaults(tmp_path: Path) -> None:
    seed = load_seed(write(tmp_path, "bao-ls.toml", 'name = "Báo"\nstart_urls = ["https://baolangson.vn/"]\n'))
    assert seed.id == "bao-ls"
    assert seed.hosts == ("baolangson.vn",)
    assert seed.download_delay >= 3.0
    assert seed.concurrent_requests_per_host == 1
    assert seed.obey_robots is True
    assert seed.interval_seconds == 6 * 3600


def test_optional_keys_are_read(tmp_path: Path) -> None:
    seed = load_seed(
        write(
            tmp_path,
            "x.toml",
            (
                'name = "X"\nstart_urls = ["http://127.0.0.1:9/"]\nschedule = "0 */2 * * *"\n'
                'download_delay = 0\nallowed_hosts = ["127.0.0.1"]\ntimeout = "10m"\n'
            ),
        )
    )
    assert seed.schedule == "0 */2 * * *"
    assert seed.download_delay == 0.0
    assert seed.timeout == 600
    assert seed.interval_seconds is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('shedule = "0 6 * * *"', "x.toml: unknown key 'shedule'; did you mean 'schedule'?"),
        ('schedule = "6am"', "x.toml: schedule: '6am' is not a cron expression, e.g. '0 6 * * *'"),
        ('every = "often"', 'x.toml: every: \'often\' is not a duration such as "30m", "6h" or "1d"'),
        ("download_delay = -1", "x.toml: download_delay: -1 is not a number from 0 to 600"),
        ('article_pattern = "("', "x.toml: article_pattern: '(' is not a regular expression"),
        ('schedule = "0 6 * * *"\nevery = "6h"', "set either 'schedule' (cron) or 'every', not both"),
    ],
)
def test_bad_value_names_file_key_and_fix(tmp_path: Path, extra: str, message: str) -> None:
    path = write(tmp_path, "x.toml", f'name = "X"\nstart_urls = ["https://a.vn/"]\n{extra}\n')
    with pytest.raises(SeedError) as caught:
        load_seed(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_required_key(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="start_urls: missing; a seed needs at least 'name' and 'start_urls'"):
        load_seed(write(tmp_path, "x.toml", 'name = "X"\n'))


def test_bad_start_url_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match=r"start_urls: 'file:///etc/passwd' is not an http\(s\) URL"):
        load_seed(write(tmp_path, "x.toml", 'name = "X"\nstart_urls = ["file:///etc/passwd"]\n'))
    with pytest.raises(SeedError, match="not valid TOML"):
        load_seed(write(tmp_path, "y.toml", 'name = "X\n'))


def test_file_name_is_the_site_id(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="the file name is the site id"):
        load_seed(write(tmp_path, "Bad Name.toml", 'name = "X"\nstart_urls = ["https://a.vn/"]\n'))


def test_project_seeds_are_valid() -> None:
    seeds = load_seeds(PROJECT_SEEDS)
    assert {"langson-mirror", "langson-dukcq", "langson-portal", "baolangson"} <= set(seeds)
    assert seeds["langson-mirror"].hosts == ("127.0.0.1",)
    assert not seeds["langson-mirror"].enabled


def test_tls_keys_a_site_ca_beside_the_seed_and_the_per_site_opt_in(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    seed = load_seed(
        write(tmp_path, "x.toml", 'name = "X"\nstart_urls = ["https://a.vn/"]\nca_file = "certs/ca.pem"\n')
    )
    assert seed.ca_file == str((tmp_path / "certs" / "ca.pem").resolve())  # relative to the seed's folder
    assert seed.insecure_tls is False  # certificates are verified unless the seed says otherwise
    assert load_seed(write(tmp_path, "y.toml", 'name = "Y"\nstart_urls = ["https://a.vn/"]\ninsecure_tls = true\n'))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('ca_file = "certs/missing.pem"', "ca_file: cannot read"),
        ('ca_file = "x.toml"', "holds no PEM certificate"),
        ('insecure_tls = "yes"', "insecure_tls: 'yes' is not true or false"),
        ("verify_tls = false", "unknown key 'verify_tls'"),
    ],
)
def test_bad_tls_keys_are_named(tmp_path: Path, extra: str, message: str) -> None:
    path = write(tmp_path, "x.toml", f'name = "X"\nstart_urls = ["https://a.vn/"]\n{extra}\n')
    with pytest.raises(SeedError, match=message):
        load_seed(path)
