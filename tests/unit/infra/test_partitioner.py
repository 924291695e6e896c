"""The caching partitioner sends every key where Kafka's default partitioner would."""

import random

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as reference_murmur2

from infra.producing import caching_partitioner, murmur2


def test_murmur2_is_kafkas_for_every_length_and_byte() -> None:
    rng = random.Random(7)
    keys = [rng.randbytes(n) for n in range(64) for _ in range(20)]
    keys += [b"\xff" * n for n in range(9)] + [f"D-{i}".encode() for i in range(1000)]
    assert [murmur2(k) for k in keys] == [reference_murmur2(k) & 0xFFFFFFFF for k in keys]
    assert murmur2(b"") == 275646681  # Kafka's Java client: Utils.murmur2(new byte[0])


def test_same_partition_as_the_default_partitioner_first_time_and_after() -> None:
    partitions = list(range(6))
    keys = [f"ONLINE_DOSSIERS|org:commune-{i}|2025-{i % 12 + 1:02d}".encode() for i in range(500)]
    expected = [DefaultPartitioner()(k, partitions, partitions) for k in keys]
    for _ in range(2):  # computed, then remembered
        assert [caching_partitioner(k, partitions, partitions) for k in keys] == expected
    assert len(set(expected)) == 6
    assert [caching_partitioner(k, [0, 1, 2], [0]) for k in keys[:50]] == [
        DefaultPartitioner()(k, [0, 1, 2], [0]) for k in keys[:50]
    ]


def test_a_record_without_a_key_goes_to_an_available_partition() -> None:
    assert caching_partitioner(None, [0, 1, 2], [2]) == 2
