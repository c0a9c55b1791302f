"""The exceptions a user can cause, each with a stable code.

The CLI prints their message without a traceback; the web layer turns them into RFC 9457
problem details. Anything else escaping is a bug in Sozialmonitor.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class SozialmonitorError(Exception):
    """Base of every user-caused problem; ``code`` is stable and machine-readable."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(SozialmonitorError):
    code = "configuration"


class StillComputingError(SozialmonitorError):
    """A result that is being computed in the background (the map of data gaps at
    Germany size takes half a minute); ``retry_after`` seconds is a fair wait."""

    code = "still-computing"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnknownAreaError(SozialmonitorError):
    code = "unknown-area-code"


class UnknownIndicatorError(SozialmonitorError):
    code = "unknown-indicator"


class UnknownRecordError(SozialmonitorError):
    """A finding or recommendation that does not exist or that the reader may not
    see (the two are answered alike)."""

    code = "unknown-record"


class UnknownLevelError(SozialmonitorError):
    code = "unknown-level"


class UnknownTopicError(SozialmonitorError):
    code = "unknown-topic"


class UnknownReleaseError(SozialmonitorError):
    code = "unknown-release"


class InvalidReleaseNameError(SozialmonitorError):
    """A new release's name that cannot name it (see ``domain.release``)."""

    code = "invalid-release-name"


class ReleaseStateError(SozialmonitorError):
    """An operation the release's state does not allow (editing a published one)."""

    code = "release-state"


class ReleaseCheckError(ReleaseStateError):
    """A draft failed the checks before validation; ``findings`` are the errors."""

    code = "release-check-failed"

    def __init__(self, message: str, *, findings: Sequence[object]) -> None:
        super().__init__(message)
        self.findings = tuple(findings)


class StaleEditError(SozialmonitorError):
    """Someone else changed a record after it was opened for editing."""

    code = "stale-edit"


class StatusChangeError(SozialmonitorError):
    """A recommendation's status change the order of statuses does not allow."""

    code = "invalid-status-change"


class InvalidPeriodError(SozialmonitorError):
    code = "invalid-period"


class InvalidQueryError(SozialmonitorError):
    """A read asked for too little or something contradictory."""

    code = "invalid-query"


class MissingBoundariesError(SozialmonitorError):
    """A spatial statistic on areas that have no stored boundaries."""

    code = "missing-boundaries"


class UnknownIndexError(SozialmonitorError):
    """No index definition with this id."""

    code = "unknown-index"


class IndexDefinitionError(ConfigurationError):
    """An index definition (YAML) that cannot be read or does not validate."""

    code = "invalid-index-definition"


class IndexInputError(SozialmonitorError):
    """The data an index needs is missing or cannot be standardised."""

    code = "index-input"


class ImportValidationError(SozialmonitorError):
    """A file did not pass validation; ``report`` holds every finding."""

    code = "import-invalid"

    def __init__(self, report: object, message: str) -> None:
        super().__init__(message)
        self.report = report


class GenesisServiceError(SozialmonitorError):
    """The GENESIS web service could not be reached or refused to deliver a table."""

    code = "genesis-service"


class UnreadableFileError(SozialmonitorError):
    code = "unreadable-file"


class ReadError(UnreadableFileError):
    """A file, or one row of it, that cannot be read; knows where and why.

    ``message`` names the file (and row); ``reason`` is the same text without them,
    for a validation report that shows file and row in their own columns.
    """

    def __init__(
        self,
        path: Path,
        reason: str,
        *,
        finding: str = "unreadable-file",
        row: int | None = None,
        value: str | None = None,
    ) -> None:
        where = f"{path}" if row is None else f"{path}, row {row}"
        super().__init__(f"{where}: {reason}")
        self.reason = reason
        self.finding = finding
        """Code of the report finding, e.g. ``wrong-encoding``."""
        self.row = row
        self.value = value


class BackupFileError(SozialmonitorError):
    """A backup file that cannot be restored: not a zip, truncated, corrupted, too
    large when unpacked, or with a manifest or rows that do not agree."""

    code = "invalid-backup"


class BackupVersionError(SozialmonitorError):
    """A backup made by a newer Sozialmonitor (format or schema revision unknown)."""

    code = "backup-too-new"


class BackupWriteError(SozialmonitorError):
    """The backup file cannot be written (folder missing, not writable, disk full)."""

    code = "backup-unwritable"


class RestoreTargetError(SozialmonitorError):
    """The database a backup should go into already holds data, or a newer schema."""

    code = "restore-target-not-empty"


class SchemaRevisionError(SozialmonitorError):
    """A database that is not initialised, or not at the schema this code knows."""

    code = "schema-not-current"


class LimitExceededError(ReadError):
    """A file beyond one of the import limits (``sozialmonitor.ingest.limits``):
    too large, too many rows or columns, a cell too long, a zip or YAML bomb.

    ``finding`` names the limit (``file-too-large``, ``too-many-columns``, …);
    ``column`` is the file's column where there is one.
    """

    code = "limit-exceeded"

    def __init__(
        self,
        path: Path,
        reason: str,
        *,
        finding: str,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(path, reason, finding=finding, row=row, value=value)
        self.column = column
        if column is not None:
            where = f"{path}" if row is None else f"{path}, row {row}"
            self.message = f"{where}, column '{column}': {reason}"
            self.args = (self.message,)


class AccountError(SozialmonitorError):
    """An account that does not exist, exists already, or a role that does not."""

    code = "account"


class PasswordPolicyError(SozialmonitorError):
    """A new password the policy refuses; ``reasons`` are the policy's codes."""

    code = "password-policy"

    def __init__(self, message: str, reasons: tuple[str, ...]) -> None:
        super().__init__(message)
        self.reasons = reasons


class UnknownTokenError(SozialmonitorError):
    code = "unknown-token"
