"""Publishing to S3 through s3fs, against moto's S3 server started by the test (the
S3-compatible server that installs here), read back with boto3."""

from __future__ import annotations

from pathlib import Path

import pytest
from publish.servers import S3, S3_ENV, room_from, tree
from support.commands import run_briefkit

BUCKET = "newsroom-archive"


@pytest.fixture(scope="module")
def bucket(s3: S3) -> str:
    s3.client().create_bucket(Bucket=BUCKET)
    return BUCKET


def archive(s3: S3, prefix: str) -> str:
    return (f'[publish.archive]\nto = "s3://{BUCKET}/{prefix}/"\n'
            f'endpoint_url = "{s3.endpoint}"\ntimeout = 10\nretries = 1\n')


def test_the_archive_gets_dist_byte_for_byte(s3: S3, bucket: str, exported_all: Path,
                                             tmp_path: Path) -> None:
    room = room_from(exported_all, tmp_path / "room", archive(s3, "whole"))
    result = run_briefkit("publish", cwd=room, env=S3_ENV)
    assert result.returncode == 0, result.stderr
    assert s3.objects(bucket, "whole/") == tree(room / "dist")
    head = s3.client().head_object(Bucket=bucket, Key="whole/feed.xml")
    assert head["ContentType"] == "application/rss+xml"  # served as what it is


@pytest.mark.slow
def test_verify_finds_what_someone_else_changed_and_sends_it_again(
        s3: S3, bucket: str, exported_all: Path, tmp_path: Path) -> None:
    room = room_from(exported_all, tmp_path / "room", archive(s3, "verified"))
    assert run_briefkit("publish", cwd=room, env=S3_ENV).returncode == 0
    client = s3.client()
    original = (room / "dist" / "feed.json").read_bytes()
    # the same size, other bytes: only the checksum (the ETag) tells
    client.put_object(Bucket=bucket, Key="verified/feed.json", Body=original[::-1])
    client.delete_object(Bucket=bucket, Key="verified/robots.txt")
    check = run_briefkit("publish", "--verify", "--dry-run", cwd=room, env=S3_ENV)
    assert check.returncode == 1
    assert check.stderr.splitlines() == [
        "archive: feed.json: changed on the remote by someone else (its MD5 checksum is not "
        "that of the file sent); would be sent again",
        "archive: robots.txt: removed from the remote by someone else; would be sent again"]
    assert "archive: would send feed.json" in check.stdout
    assert s3.objects(bucket, "verified/")["feed.json"] == original[::-1]  # a dry run
    repair = run_briefkit("publish", "--verify", cwd=room, env=S3_ENV)
    assert repair.returncode == 0, repair.stderr
    assert s3.objects(bucket, "verified/") == tree(room / "dist")
    assert run_briefkit("publish", "--verify", "--dry-run", cwd=room,
                        env=S3_ENV).returncode == 0


def test_a_missing_bucket_is_one_line(s3: S3, exported_all: Path, tmp_path: Path) -> None:
    room = room_from(exported_all, tmp_path / "room", archive(s3, "x").replace(
        BUCKET, "no-such-bucket"))
    result = run_briefkit("publish", cwd=room, env=S3_ENV)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("archive: "), result.stderr
    assert S3_ENV["AWS_SECRET_ACCESS_KEY"] not in result.stdout + result.stderr
