"""No ``{{ name }}`` template text anywhere an examiner can look: names, contents, members, payloads."""

from __future__ import annotations

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.template import template_spans


def _utf16_spans(data: bytes) -> list[bytes]:
    if b"{\x00{\x00" not in data:
        return []
    text = data.decode("utf-16-le", errors="ignore").encode("utf-8", errors="ignore")
    return [span for _, span in template_spans(text)]


class UnrenderedTemplate(AuditRule):
    """Template text in a file or member name, in any content (UTF-8 or UTF-16LE) or in a flow's payload."""

    name = "unrendered-template"
    title = {"en": "no unrendered {{ template }} text in names, contents, archive members or packets",
             "ru": "нет незаполненных шаблонов {{ ... }} в именах, содержимом, архивах и пакетах"}
    messages = {
        "name": {"en": "the name holds template text {text}", "ru": "в имени остался шаблон {text}"},
        "content": {"en": "the content holds template text {text}", "ru": "в содержимом остался шаблон {text}"},
    }

    def check(self, case):
        for blob in case.blobs():
            leaf = blob.where.rsplit("!", 1)[-1] if blob.member is not None else blob.where
            if blob.member is not None or blob.evidence in {e["id"] for e in case.entries("disk")}:
                if "{{" in leaf:
                    yield self.finding(case, blob.evidence, blob.where, "name", text=repr(leaf))
            spans = [span for _, span in template_spans(blob.data)] + _utf16_spans(blob.data)
            for span in dict.fromkeys(spans):
                yield self.finding(case, blob.evidence, blob.where, "content",
                                   text=span.decode("utf-8", errors="replace"))
