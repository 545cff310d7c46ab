"""The embeddable pipeline: Ditto Protocol message in, one outcome per target out.

A connector builds a :class:`Pipeline` from its Ditto connection JSON and feeds it twin events;
for each message every target of the connection reports one :class:`~mapper.outcome.TargetOutcome`:
filtered out, dropped by the mapping, published (key, HTTP status, attempts), already archived,
or failed (stage and error). Nothing is lost silently: errors become outcomes, never exceptions.

The work is split in two so that :mod:`mapper.replay` can drive it at scale: :meth:`Pipeline.prepare`
(parse, validate, select targets, map, apply header mapping, choose keys — CPU work, ordered) and
:meth:`Pipeline.execute` (one publish — I/O). :meth:`Pipeline.process` does both, and
:meth:`Pipeline.process_async` runs it on the pipeline's own worker threads for asyncio callers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from mapper.connection.model import BUILTIN_MAPPINGS, Connection, Target, load_connection
from mapper.connection.placeholders import HeaderTemplate, apply_header_mapping
from mapper.connection.topics import target_selects
from mapper.errors import ConfigError, MapperError, ProtocolError, PublishError
from mapper.javascript.engine import MappingEngine
from mapper.javascript.limits import SandboxLimits
from mapper.outcome import OutcomeKind, Stage, TargetOutcome
from mapper.protocol.envelope import loads_json, validate_envelope
from mapper.protocol.external import ExternalMessage
from mapper.publish.directory import DirectoryPublisher
from mapper.publish.endpoint import S3Endpoint
from mapper.publish.payload import payload_bytes
from mapper.publish.result import PublishResult
from mapper.publish.retry import RetryPolicy
from mapper.publish.s3 import S3Publisher
from mapper.signing.credentials import ChainCredentialProvider
from mapper.signing.params import PayloadHashMode
from mapper.signing.sigv4 import SigV4Signer

__all__ = ["Destination", "Pipeline", "PipelineCounters", "PipelineTarget", "PublishJob"]

# https://BUCKET.s3.REGION.amazonaws.com -> REGION (for the credential chain's signing scope)
_REGION_IN_HOST = re.compile(r"\.s3[.-](?:dualstack\.)?(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com")
_DEFAULT_CONCURRENCY = 16


class Destination(Protocol):
    """Where a target's messages are stored: :class:`S3Publisher` or :class:`DirectoryPublisher`."""

    def publish(self, message: ExternalMessage) -> PublishResult: ...

    def close(self) -> None: ...


def destination_key(destination: Destination, message: ExternalMessage) -> str:
    """The key ``message`` will be stored under at ``destination`` (prefix included)."""
    if isinstance(destination, S3Publisher):
        return destination.endpoint.target(message.headers).key
    return DirectoryPublisher.key_of(message)


@dataclass(frozen=True, slots=True)
class PipelineTarget:
    """One way out: which messages (``selects``), how they are mapped, where they are stored.

    ``engines`` are applied in order and their results concatenated (Ditto's ``payloadMapping``
    list). ``selects=None`` takes every message. ``default_path`` is the target address path,
    used as ``http.path`` when the mapping sets none.
    """

    index: int
    engines: Sequence[MappingEngine]
    destination: Destination
    destination_name: str
    selects: Callable[[Mapping[str, Any]], bool] | None = None
    header_mapping: Mapping[str, HeaderTemplate] = field(default_factory=dict)
    default_path: Callable[[Mapping[str, Any]], str | None] | None = None


@dataclass(frozen=True, slots=True)
class PublishJob:
    """One mapped message ready to publish (made by ``prepare``, sent by ``execute``)."""

    target: int
    key: str
    message: ExternalMessage
    destination: str
    #: Identifies the content, so the same event twice is told apart from a key collision.
    content_digest: bytes


@dataclass(frozen=True, slots=True)
class PipelineCounters:
    """What a pipeline did so far (counted per target outcome; ``messages`` per input)."""

    messages: int = 0
    filtered: int = 0
    dropped: int = 0
    published: int = 0
    already_archived: int = 0
    failed: int = 0


_COUNTER_OF = {
    OutcomeKind.FILTERED: "filtered",
    OutcomeKind.DROPPED: "dropped",
    OutcomeKind.PUBLISHED: "published",
    OutcomeKind.ALREADY_ARCHIVED: "already_archived",
    OutcomeKind.FAILED: "failed",
}


class Pipeline:
    """Maps Ditto Protocol messages through a connection's targets and publishes them.

    Thread-safe: call :meth:`process` from any number of threads (each thread gets its own
    QuickJS context; the publishers share keep-alive pools). Use it as a context manager, or call
    :meth:`close`, which waits for in-flight messages and releases connections.
    """

    def __init__(self, targets: Sequence[PipelineTarget], *, concurrency: int = _DEFAULT_CONCURRENCY) -> None:
        if not targets:
            raise ConfigError("a pipeline needs at least one target")
        self.targets = tuple(targets)
        self.concurrency = concurrency
        self._lock = threading.Condition()
        self._counts = dict.fromkeys(PipelineCounters.__dataclass_fields__, 0)
        self._in_flight = 0
        self._closed = False
        self._executor: ThreadPoolExecutor | None = None

    # -- construction ----------------------------------------------------------------------------

    @classmethod
    def from_connection(
        cls,
        connection: Connection | Path | str | Mapping[str, Any],
        *,
        endpoint_url: str | None = None,
        directory: Path | str | None = None,
        concurrency: int | None = None,
        no_overwrite: bool = False,
        content_md5: bool = False,
        retry: RetryPolicy | None = None,
        limits: SandboxLimits | None = None,
    ) -> Pipeline:
        """Build the pipeline a Ditto http-push connection describes.

        ``connection`` is a loaded :class:`Connection`, a path to its JSON file, JSON text or a dict.
        ``endpoint_url`` sends to an S3-compatible endpoint path-style instead of the connection's
        uri; ``directory`` stores objects in a local directory instead of S3. ``concurrency``
        defaults to the connection's ``parallelism`` when above 1, else 16.
        """
        if not isinstance(connection, Connection):
            connection = load_connection(connection)
        if concurrency is None:
            concurrency = connection.parallelism() if connection.parallelism() > 1 else _DEFAULT_CONCURRENCY
        limits = limits or SandboxLimits()
        engines: dict[str, MappingEngine] = {}

        def engines_for(target: Target) -> list[MappingEngine]:
            built = []
            for definition_id, definition in _mappings_of(connection, target):
                if definition_id not in engines:
                    engines[definition_id] = _engine_for(definition, limits)
                built.append(engines[definition_id])
            return built

        targets = []
        for index, target in enumerate(connection.targets):
            if directory is not None:
                destination: Destination = DirectoryPublisher(directory, no_overwrite=no_overwrite)
                name = str(directory)
            else:
                endpoint = S3Endpoint.from_ditto_uri(
                    connection.uri, target_address=target.address, endpoint_url=endpoint_url
                )
                destination = _s3_publisher(
                    endpoint,
                    _signer_for(connection),
                    concurrency,
                    no_overwrite,
                    content_md5,
                    retry,
                    _tls_context(connection),
                )
                name = f"{endpoint.scheme}://{endpoint.address}{endpoint.bucket_path}"
            targets.append(
                PipelineTarget(
                    index=index,
                    engines=engines_for(target),
                    destination=destination,
                    destination_name=name,
                    selects=_selector(target),
                    header_mapping=target.header_mapping,
                    default_path=target.resolve_path,
                )
            )
        return cls(targets, concurrency=concurrency)

    @classmethod
    def for_script(
        cls,
        script: Path | str,
        to: str | Path,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        concurrency: int = _DEFAULT_CONCURRENCY,
        no_overwrite: bool = False,
        content_md5: bool = False,
        retry: RetryPolicy | None = None,
        limits: SandboxLimits | None = None,
    ) -> Pipeline:
        """One target, every message, one outgoing script (which must set ``http.path``: the key).

        ``to`` is ``s3://BUCKET[/PREFIX]`` (credentials from the standard AWS chain), a Ditto-style
        S3 URI (``https://BUCKET.s3.REGION.amazonaws.com``) or a local directory.
        """
        limits = limits or SandboxLimits()
        try:
            engine = MappingEngine.from_files(outgoing=Path(script), limits=limits)
        except OSError as exc:
            raise ConfigError(f"cannot read script: {exc.strerror}", source=str(script)) from None
        target_text = str(to)
        destination: Destination
        if target_text.startswith(("s3://", "https://", "http://")):
            if target_text.startswith("s3://"):
                region = region or _default_region()
                endpoint = S3Endpoint.from_s3_url(target_text, region=region, endpoint_url=endpoint_url)
            else:
                region = region or _region_from_uri(target_text) or _default_region()
                endpoint = S3Endpoint.from_ditto_uri(target_text, endpoint_url=endpoint_url)
            destination = _s3_publisher(
                endpoint, _chain_signer(region), concurrency, no_overwrite, content_md5, retry
            )
            name = target_text
        else:
            destination = DirectoryPublisher(target_text, no_overwrite=no_overwrite)
            name = target_text
        return cls(
            [PipelineTarget(index=0, engines=[engine], destination=destination, destination_name=name)],
            concurrency=concurrency,
        )

    # -- the two halves --------------------------------------------------------------------------

    def prepare(self, message: Mapping[str, Any] | str | bytes) -> list[TargetOutcome | PublishJob]:
        """Parse, validate, select, map and key one message: finished outcomes and jobs to publish.

        Never raises for a bad message: every problem becomes a FAILED outcome naming its stage.
        """
        return self.prepare_batch([message])[0]

    def prepare_batch(
        self, messages: Sequence[Mapping[str, Any] | str | bytes]
    ) -> list[list[TargetOutcome | PublishJob]]:
        """:meth:`prepare` for several messages at once: per message, in order, exactly what
        :meth:`prepare` returns for it alone.

        The mappings run with one call into JavaScript per 100 messages (instead of one per
        message), and JSON text is parsed once: the engine gets the original text. A bad message
        fails alone, at its own stage, whatever its place in the batch.
        """
        results: list[list[TargetOutcome | PublishJob]] = [[] for _ in messages]
        envelopes: dict[int, Mapping[str, Any]] = {}
        texts: dict[int, str] = {}
        for index, message in enumerate(messages):
            try:
                envelope, text = _parse(message)
            except ProtocolError as exc:
                results[index] = [self._failed(t.index, Stage.PARSE, exc) for t in self.targets]
                continue
            try:
                validate_envelope(envelope)
            except ProtocolError as exc:
                results[index] = [self._failed(t.index, Stage.VALIDATE, exc) for t in self.targets]
                continue
            envelopes[index] = envelope
            texts[index] = text
        for target in self.targets:
            self._prepare_for(target, envelopes, texts, results)
        return results

    def execute(self, job: PublishJob) -> TargetOutcome:
        """Publish one prepared message; never raises for a publish failure."""
        target = self.targets[job.target]
        try:
            result = target.destination.publish(job.message)
        except PublishError as exc:
            return TargetOutcome(
                OutcomeKind.FAILED, job.target, job.key, exc.status, exc.attempts, Stage.PUBLISH, str(exc)
            )
        except MapperError as exc:  # e.g. no AWS credentials: nothing was sent
            return TargetOutcome(OutcomeKind.FAILED, job.target, job.key, stage=Stage.PUBLISH, error=str(exc))
        kind = OutcomeKind.ALREADY_ARCHIVED if result.already_archived else OutcomeKind.PUBLISHED
        return TargetOutcome(kind, job.target, result.key, result.status, result.attempts)

    # -- whole messages --------------------------------------------------------------------------

    def process(self, message: Mapping[str, Any] | str | bytes) -> list[TargetOutcome]:
        """Map and publish one message; returns one outcome per target (more if a mapping
        produced several messages for a target). Blocks until every publish finished."""
        self._enter()
        try:
            outcomes = [item if isinstance(item, TargetOutcome) else self.execute(item)
                        for item in self.prepare(message)]
        finally:
            self._leave()
        self.count(outcomes)
        return outcomes

    async def process_async(self, message: Mapping[str, Any] | str | bytes) -> list[TargetOutcome]:
        """:meth:`process` for asyncio: runs on the pipeline's own worker threads (at most
        ``concurrency`` messages at once), so the event loop never blocks on JS or HTTP."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker_pool(), self.process, message)

    def count(self, outcomes: Sequence[TargetOutcome]) -> None:
        """Add one message's outcomes to :attr:`counters` (:meth:`process` does; a caller that drives
        :meth:`prepare` / :meth:`execute` itself counts with this, or keeps its own tally as replay does)."""
        with self._lock:
            self._counts["messages"] += 1
            for outcome in outcomes:
                self._counts[_COUNTER_OF[outcome.kind]] += 1

    @property
    def counters(self) -> PipelineCounters:
        """A consistent snapshot of what this pipeline did."""
        with self._lock:
            return PipelineCounters(**self._counts)

    def flush_durably(self) -> None:
        """Make every object published so far survive a power loss.

        S3 holds an object once it answered 2xx; a directory target writes without fsync, so it
        syncs its file system here (the replay calls this before each checkpoint).
        """
        for target in self.targets:
            if isinstance(target.destination, DirectoryPublisher):
                target.destination.flush_durably()

    def close(self) -> None:
        """Stop taking messages, wait for in-flight ones, release connections. Idempotent."""
        with self._lock:
            self._closed = True
            while self._in_flight:
                self._lock.wait()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        for target in self.targets:
            target.destination.close()

    async def aclose(self) -> None:
        """:meth:`close` without blocking the event loop."""
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Pipeline:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        names = ", ".join(t.destination_name for t in self.targets)
        return f"Pipeline(targets=[{names}], concurrency={self.concurrency})"

    # -- internals -------------------------------------------------------------------------------

    def _prepare_for(
        self,
        target: PipelineTarget,
        envelopes: Mapping[int, Mapping[str, Any]],
        texts: Mapping[int, str],
        results: list[list[TargetOutcome | PublishJob]],
    ) -> None:
        """Append ``target``'s outcomes and jobs for every valid message to its ``results``."""
        selected: list[int] = []
        for index, envelope in envelopes.items():
            if target.selects is None:
                selected.append(index)
                continue
            try:
                if target.selects(envelope):
                    selected.append(index)
                else:
                    results[index].append(TargetOutcome(OutcomeKind.FILTERED, target.index))
            except MapperError as exc:
                results[index].append(self._failed(target.index, Stage.FILTER, exc))
        mapped = self._map(target, selected, texts)
        for index in selected:
            outcome = mapped[index]
            if isinstance(outcome, MapperError):
                results[index].append(self._failed(target.index, Stage.MAP, outcome))
            elif isinstance(outcome, BaseException):  # not expected from an engine: say what it was
                error = f"{type(outcome).__name__}: {outcome}"
                results[index].append(
                    TargetOutcome(OutcomeKind.FAILED, target.index, stage=Stage.MAP, error=error)
                )
            elif not outcome:
                results[index].append(TargetOutcome(OutcomeKind.DROPPED, target.index))
            else:
                results[index].extend(self._jobs(target, envelopes[index], outcome))

    def _map(
        self, target: PipelineTarget, selected: list[int], texts: Mapping[int, str]
    ) -> dict[int, list[ExternalMessage] | BaseException]:
        """Run the target's engines in order over the selected messages; the first error of a
        message is its outcome (its later engines are not run, as in :meth:`prepare`)."""
        mapped: dict[int, list[ExternalMessage] | BaseException] = {index: [] for index in selected}
        pending = selected
        for engine in target.engines:
            if not pending:
                break
            outcomes = _map_batch(engine, [texts[index] for index in pending])
            still: list[int] = []
            for index, outcome in zip(pending, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    mapped[index] = outcome
                else:
                    mapped[index].extend(outcome)  # type: ignore[union-attr]  # no error yet
                    still.append(index)
            pending = still
        return mapped

    def _jobs(
        self, target: PipelineTarget, envelope: Mapping[str, Any], mapped: list[ExternalMessage]
    ) -> list[TargetOutcome | PublishJob]:
        items: list[TargetOutcome | PublishJob] = []
        for external in mapped:
            try:
                external = self._finish_headers(target, envelope, external)
            except MapperError as exc:
                items.append(self._failed(target.index, Stage.HEADER_MAPPING, exc))
                continue
            try:
                key = destination_key(target.destination, external)
                # Checked here, not only when sending: a payload that cannot be encoded (a lone
                # surrogate from a script) must fail this message, not the replay's key registry.
                digest = hashlib.blake2b(payload_bytes(external, key), digest_size=8).digest()
            except PublishError as exc:
                items.append(self._failed(target.index, Stage.PUBLISH, exc))
                continue
            items.append(PublishJob(target.index, key, external, target.destination_name, digest))
        return items

    @staticmethod
    def _finish_headers(
        target: PipelineTarget, envelope: Mapping[str, Any], external: ExternalMessage
    ) -> ExternalMessage:
        headers = external.headers
        if target.header_mapping:
            headers = apply_header_mapping(target.header_mapping, envelope, headers)
        if "http.path" not in headers and target.default_path is not None:
            path = target.default_path(envelope)
            if path is not None:
                headers = {**headers, "http.path": path}
        if headers is external.headers:
            return external
        return ExternalMessage(headers, external.text_payload, external.byte_payload, external.content_type)

    @staticmethod
    def _failed(target: int, stage: Stage, exc: BaseException) -> TargetOutcome:
        return TargetOutcome(OutcomeKind.FAILED, target, stage=stage, error=str(exc))

    def _enter(self) -> None:
        with self._lock:
            if self._closed:
                raise MapperError("the pipeline is closed")
            self._in_flight += 1

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            if not self._in_flight:
                self._lock.notify_all()

    def _worker_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="mapper-pipeline")
            return self._executor


def _parse(message: Mapping[str, Any] | str | bytes) -> tuple[Any, str]:
    """The parsed message and the JSON text the mappings get: the original text when there is
    one (no re-serialisation per event), else the dict as compact JSON."""
    if isinstance(message, str):
        if not message.isascii():  # O(1): only non-ASCII text can hold a lone surrogate
            _check_unicode(message)
        return loads_json(message), message
    if isinstance(message, (bytes, bytearray)):
        envelope = loads_json(message)
        try:
            text = bytes(message).decode("utf-8")
        except UnicodeDecodeError:  # UTF-16/32 JSON (json.loads detects it): re-serialise
            return envelope, _dumps(envelope)
        if text.startswith("\ufeff"):  # JavaScript's JSON.parse refuses a byte order mark
            return envelope, _dumps(envelope)
        return envelope, text
    return message, _dumps(message)


def _check_unicode(text: str) -> None:
    """Refuse a lone surrogate (a line that was not UTF-8, read with ``surrogateescape``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ProtocolError(
            f"the message is not valid UTF-8 (U+{ord(text[exc.start]):04X} at character {exc.start})"
        ) from None


def _dumps(envelope: Any) -> str:
    try:
        return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:  # NaN / Infinity, or a circular reference
        raise ProtocolError(f"the message is not JSON: {exc}") from None
    except TypeError as exc:
        raise ProtocolError(f"the message is not JSON: {exc}") from None


def _map_batch(engine: MappingEngine, texts: list[str]) -> list[list[ExternalMessage] | BaseException]:
    """One engine over several texts; an unexpected exception is retried message by message so
    that it is charged to the message that causes it."""
    try:
        return list(engine.map_outgoing_batch(texts, checked=True))
    except Exception as exc:
        if len(texts) == 1:
            return [exc]
    outcomes: list[list[ExternalMessage] | BaseException] = []
    for text in texts:
        try:
            outcomes.extend(engine.map_outgoing_batch([text], checked=True))
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


def _mappings_of(connection: Connection, target: Target) -> list[tuple[str, Any]]:
    ids = target.payload_mapping or list(BUILTIN_MAPPINGS)
    return list(zip(ids, connection.target_mappings(target), strict=True))


def _engine_for(definition: Any, limits: SandboxLimits) -> MappingEngine:
    if definition.mapping_engine == "Ditto":
        return MappingEngine(outgoing_script="", limits=limits)
    options = definition.options
    return MappingEngine(
        outgoing_script=definition.outgoing_script,
        outgoing_name=definition.outgoing_script_name,
        limits=limits,
        load_bytebuffer_js=options.load_bytebuffer_js,
        load_long_js=options.load_long_js,
    )


def _selector(target: Target) -> Callable[[Mapping[str, Any]], bool]:
    return lambda envelope: target_selects(target, envelope)


def _signer_for(connection: Connection) -> SigV4Signer:
    if connection.credentials is not None:
        return SigV4Signer.from_parameters(connection.credentials.parameters)
    region = _region_from_uri(connection.uri) or _default_region()
    return _chain_signer(region)


def _chain_signer(region: str) -> SigV4Signer:
    # S3 needs the payload hash header and x-amz-date signed (REFERENCE.md 3).
    return SigV4Signer(
        region=region,
        service="s3",
        credentials=ChainCredentialProvider(),
        double_encode=False,
        canonical_headers=("host", "x-amz-date"),
        payload_hash_mode=PayloadHashMode.INCLUDED,
    )


def _s3_publisher(
    endpoint: S3Endpoint,
    signer: SigV4Signer,
    concurrency: int,
    no_overwrite: bool,
    content_md5: bool,
    retry: RetryPolicy | None,
    ssl_context: ssl.SSLContext | None = None,
) -> S3Publisher:
    return S3Publisher(
        endpoint,
        signer,
        concurrency=concurrency,
        retry=retry or RetryPolicy(),
        no_overwrite=no_overwrite,
        content_md5=content_md5,
        ssl_context=ssl_context,
    )


def _tls_context(connection: Connection) -> ssl.SSLContext | None:
    """Ditto's ``validateCertificates`` and ``ca`` for HTTPS endpoints (None: the system's trust store)."""
    if connection.ca is None and connection.validate_certificates:
        return None
    if connection.ca is not None:
        try:
            context = ssl.create_default_context(cadata=connection.ca)
        except (ssl.SSLError, ValueError) as exc:
            raise ConfigError(f"not a usable PEM certificate: {exc}", path="ca") from None
    else:
        context = ssl.create_default_context()
    if not connection.validate_certificates:
        # The operator's explicit choice (Ditto's validateCertificates: false), e.g. a test MinIO.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _region_from_uri(uri: str) -> str | None:
    match = _REGION_IN_HOST.search(uri)
    return match.group("region") if match else None


def _default_region() -> str:
    import botocore.session

    return botocore.session.get_session().get_config_variable("region") or "us-east-1"
