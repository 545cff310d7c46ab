"""A real replay process for the crash tests: JSON lines -> files in a directory, slowly.

usage: crash_driver.py INPUT OUT_DIR CHECKPOINT DEAD_LETTER SENDS_LOG DELAY_S
Every publish appends the key to SENDS_LOG (O_APPEND: one whole line per write), so the test can
count how often each record was sent across a SIGKILL and a resume. Prints the report as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass

from mapper.errors import ProtocolError
from mapper.outcome import OutcomeKind, TargetOutcome
from mapper.protocol.external import ExternalMessage
from mapper.publish.directory import DirectoryPublisher
from mapper.replay.checkpoint import Checkpoint
from mapper.replay.dead_letter import DeadLetterWriter
from mapper.replay.reader import InputRecord, read_records
from mapper.replay.runner import ReplayRunner

WINDOW = 8
CONCURRENCY = 2


@dataclass(frozen=True)
class Job:
    key: str
    content_digest: bytes
    message: ExternalMessage


def main() -> None:
    source, out_dir, checkpoint_path, dead_letter_path, sends_path, delay = sys.argv[1:]
    publisher = DirectoryPublisher(out_dir, no_overwrite=True)
    sends = os.open(sends_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def prepare(record: InputRecord) -> list[Job]:
        event = json.loads(record.text)
        if "id" not in event:
            raise ProtocolError("missing", field="id")
        body = record.text.encode()
        message = ExternalMessage(headers={"http.path": f"/events/{event['id']}"}, text_payload=record.text)
        return [Job(f"events/{event['id']}", hashlib.blake2b(body, digest_size=8).digest(), message)]

    def execute(job: Job) -> TargetOutcome:
        time.sleep(float(delay))
        result = publisher.publish(job.message)
        os.write(sends, f"{job.key}\n".encode())
        kind = OutcomeKind.ALREADY_ARCHIVED if result.already_archived else OutcomeKind.PUBLISHED
        return TargetOutcome(kind, key=result.key, status=result.status, attempts=result.attempts)

    runner = ReplayRunner(
        prepare,
        execute,
        concurrency=CONCURRENCY,
        window=WINDOW,
        checkpoint=Checkpoint(checkpoint_path, [source]),
        dead_letter=DeadLetterWriter(dead_letter_path),
    )
    report = runner.run(read_records([source]))
    print(report.to_json(), flush=True)


if __name__ == "__main__":
    main()
