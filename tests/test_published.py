"""The table of what a build publishes (audioguide.published) is the one place that knows an
edition's files: each kind is made, listed, zipped and served as its row says."""

from __future__ import annotations

import json
import posixpath
import zipfile

import pytest
from build_helpers import Built, shared_build

from audioguide import published
from audioguide.output import Output
from audioguide.package import listener  # noqa: F401 - registers every renderer
from audioguide.serve import content_type


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    return shared_build(tmp_path_factory)


def test_every_kind_made_by_the_package_stage_has_one_renderer_and_no_renderer_is_spare():
    made = {kind.name for kind in published.KINDS if kind.made_by == "package"}

    assert set(published.RENDERERS) == made


def test_no_two_kinds_share_a_path_or_give_one_ending_two_media_types():
    paths = [kind.pattern for kind in published.KINDS]
    assert len(paths) == len(set(paths))
    for kind in published.KINDS:
        name = posixpath.basename(kind.format(tag="en", stem="01-welcome", guide="g"))
        assert published.media_type(name) == kind.media_type, kind.name


def _listed(manifest: dict) -> dict[str, dict]:
    """Every {"file": ...} entry of the manifest, by path."""
    found: dict[str, dict] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found[node["file"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(manifest)
    return found


def test_a_build_publishes_lists_zips_and_serves_each_kind_as_its_row_says(built: Built):
    output = built.site.output
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    listed = _listed(manifest)
    editions = Output.read(output).editions
    for language in manifest["languages"]:
        edition = editions[language["tag"]]
        rows = list(published.of_edition(edition))
        with zipfile.ZipFile(output / edition.zip) as archive:
            zipped = {posixpath.basename(name) for name in archive.namelist()}
        for kind, track, path in rows:
            assert (output / path).is_file(), path
            assert content_type(output / path) == kind.media_type, path
            assert (posixpath.basename(path) in zipped) == kind.zipped, path
            if kind.manifest is not None:
                assert path in listed, path
                where = language if track is None else language["tracks"][track.number - 1]
                for key in filter(None, kind.manifest.split(".")):
                    where = where[key]
                assert where["file"] == path
        # and the manifest lists nothing of the language the table does not know
        ours = {path for _, _, path in rows}
        tag = language["tag"]
        assert {p for p in listed if p.startswith(f"{tag}/")} <= ours
