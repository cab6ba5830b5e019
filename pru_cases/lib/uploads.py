"""Limits on what a request may send, enforced while the body streams in rather than after it is stored."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Set on the request when an uploaded file passed FILE_UPLOAD_MAX_BYTES and the rest of it was not stored.
UPLOAD_REFUSED = "pru_upload_refused"


class SizeLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive and stops the upload once a file
    is larger than FILE_UPLOAD_MAX_BYTES, before the handlers after it keep the chunk in memory or on disk."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.FILE_UPLOAD_MAX_BYTES:
            setattr(self.request, UPLOAD_REFUSED, True)
            # connection_reset: the parser stops here instead of reading the rest of the body to discard it.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


def size_text(size: int) -> str:
    """A size as people write it: 5 MB, 9.8 KB."""
    if size >= 1024 * 1024:
        return f"{round(size / (1024 * 1024), 1):g} MB"
    return f"{round(size / 1024, 1):g} KB"
