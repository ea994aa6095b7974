"""The messages between a worker and the pool: bounded, whatever pyoxigraph writes at once."""

from __future__ import annotations

import multiprocessing
import os
import select
import struct
import threading

import pytest

from tipgraph.evaluation import ResultHead
from tipgraph.formats import BY_SHORT_NAME, ResultKind
from tipgraph.serving.pool import MAX_MESSAGE_BYTES, OversizedMessage, _FrameReader
from tipgraph.serving.worker import CHUNK_BYTES, _PipeOutput

HEAD = ResultHead(ResultKind.SOLUTIONS, BY_SHORT_NAME["csv"])


def exchange(writes: list[bytes], rows: int) -> list[bytes]:
    """The messages the pool reads while a worker's output gets ``writes``, then finishes."""
    reading, writing = multiprocessing.Pipe(duplex=False)
    os.set_blocking(reading.fileno(), False)
    frames = _FrameReader(reading.fileno())

    def worker() -> None:  # blocks whenever the pipe is full, as a worker does
        output = _PipeOutput(writing, HEAD)
        for data in writes:
            output.write(data)
        output.flush()
        output.finish(rows)

    thread = threading.Thread(target=worker)
    thread.start()
    messages: list[bytes] = []
    while not messages or messages[-1][:1] not in (b"C", b"F"):
        select.select([reading.fileno()], [], [], 5)
        messages += frames.read()
    thread.join()
    reading.close()
    writing.close()
    return messages


def body(messages: list[bytes]) -> bytes:
    first, *rest = messages
    data = first.split(b"\n", 1)[1]
    return data + b"".join(message[1:] for message in rest if message[:1] == b"D")


def test_a_value_written_in_one_piece_arrives_in_messages_of_at_most_a_chunk() -> None:
    value = bytes(range(256)) * (3 * CHUNK_BYTES // 256 + 77)
    messages = exchange([b"big\r\n", value, b"\r\n"], rows=1)
    assert [m[:1] for m in messages] == [b"H", *[b"D"] * (len(messages) - 2), b"F"]
    assert len(messages) >= 5
    assert max(len(m) for m in messages) <= CHUNK_BYTES + 64
    assert body(messages) == b"big\r\n" + value + b"\r\n"
    assert messages[-1] == b"F1"


def test_a_small_result_stays_one_message() -> None:
    messages = exchange([b"s\r\n", b"x" * 1000, b"\r\n"], rows=1)
    assert len(messages) == 1
    assert messages[0].startswith(b"C") and messages[0].endswith(b"x" * 1000 + b"\r\n")


def test_the_pool_refuses_a_message_over_the_limit_before_reading_it() -> None:
    reading, writing = os.pipe()
    os.set_blocking(reading, False)
    os.write(writing, struct.pack("!i", MAX_MESSAGE_BYTES + 1) + b"D" * 1000)
    with pytest.raises(OversizedMessage):
        _FrameReader(reading).read()
    os.close(reading)
    os.close(writing)
