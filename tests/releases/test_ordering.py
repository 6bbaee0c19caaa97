"""How releases sort (versions as semantic versions, names in their natural order), and the
export's small helpers."""

from __future__ import annotations

import hashlib
import io

from releases.export import dumps, hash_file, json_header
from releases.ordering import natural_key, version_key


def test_it_sorts_versions_by_number_with_a_pre_release_before_its_release() -> None:
    versions = ["1.10.0", "1.2.0", "1.2.0-rc.1", "0.9.9", "2.0.0-alpha", "1.2.1"]
    assert sorted(versions, key=version_key) == [
        "0.9.9",
        "1.2.0-rc.1",
        "1.2.0",
        "1.2.1",
        "1.10.0",
        "2.0.0-alpha",
    ]


def test_it_sorts_release_names_with_numbers_as_numbers() -> None:
    names = ["svb-10", "svb-2", "svb", "SVB-1", "svb-2a"]
    assert sorted(names, key=natural_key) == ["SVB-1", "svb", "svb-2", "svb-2a", "svb-10"]


def test_it_hashes_a_file_from_its_start_and_leaves_it_rewound() -> None:
    handle = io.BytesIO(b'{"uid":"a"}\n')
    handle.seek(5)
    assert hash_file(handle) == (hashlib.sha256(b'{"uid":"a"}\n').hexdigest(), 12)
    assert handle.tell() == 0


def test_the_json_export_opens_with_its_header_and_the_items_key() -> None:
    header = json_header(
        name="svb", version="1.0.0", split="test", count=2, sha256="ab", created_at="now"
    )
    assert (
        header
        == dumps(
            {
                "name": "svb",
                "version": "1.0.0",
                "split": "test",
                "count": 2,
                "sha256": "ab",
                "created_at": "now",
            }
        )[:-1]
        + b',"items":['
    )
