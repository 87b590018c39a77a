"""The evidence appendix of a Markdown export, in the document's language.

evidence/proof.py writes the appendix (appendix_text: how to check the document,
the statement and signature to save for ssh-keygen, then the evidence as JSON)
and evidence/check.py reads it back and checks that its text is exactly what
pmjournal writes. The words are here, in the pmjournal-export catalog with the
rest of the document (markdown.py), so the appendix speaks the document's
language.

Which language: the one the document was written in (`i18n.language()` when it is
exported: `export --lang` renders inside `i18n.using()`). It is recorded in the
evidence block as `"language"` (only when it is not English, so an English export
is byte for byte what it was before), and verification renders the appendix again
in that language. The statement, the proofs and the JSON never change with it.
A document with no `language` is English: every export made before this one.
"""

import re

from . import i18n
from .evidence.proof import fence_for
from .i18n import _

_PROOF_ANCHOR = '\n---\n\n## <a id="proof" name="proof"></a>'


def language_of(evidence: dict) -> str:
    """The language an evidence block says its document is in (English when it says none)."""
    lang = evidence.get("language")
    return (i18n.normalize(lang) if isinstance(lang, str) else None) or i18n.DEFAULT


def with_language(evidence: dict) -> dict:
    """The evidence block with the language in use recorded in it (English is not recorded)."""
    lang = i18n.language()
    if lang != i18n.DEFAULT:
        evidence["language"] = lang
    return evidence


def _mark() -> str:
    return _PROOF_ANCHOR + _("Appendix: machine-readable proof") + "\n"


def mark(lang: str | None = None) -> str:
    """Where the evidence block starts in a document in `lang` (default: the language in use)."""
    with i18n.using(lang):
        return _mark()


def mark_at(data: bytes) -> int:
    """Where the last evidence appendix of any language starts in `data`; -1 if it has none."""
    return max(data.rfind(mark(lang).encode()) for lang in i18n.LANGUAGES)


def _labels() -> tuple[str, str, str]:
    return _("Statement:"), _("Signature:"), _("Evidence (JSON):")


def shown(text: str, evidence: dict) -> dict:
    """The statement and signature the appendix `text` shows a reader, in its language's words."""
    with i18n.using(language_of(evidence)):
        statement, signature, _json = _labels()
    out = {}
    found = re.search(r"\n" + re.escape(statement) + r"\n\n(`{3,})text\n(.*?)\1\n", text, re.S)
    if found:
        out["statement"] = found.group(2)
    found = re.search(r"\n" + re.escape(signature) + r"\n\n```text\n(.*?)```\n", text, re.S)
    if found:
        out["signature"] = found.group(1)
    return out


def appendix_text(evidence: dict) -> str:
    """The appendix up to its JSON block, in the document's language: what a reader reads,
    so verify checks it is exactly this."""
    with i18n.using(language_of(evidence)):
        statement = evidence["statement"]
        out = [_mark(), "\n"]
        if evidence.get("signature"):
            out.append(
                _(
                    "This document is signed by the key `{fingerprint}` ({key_type}). To check it with OpenSSH alone, save "
                    "the statement below (every line, each ending in a newline) as `statement.txt` and the signature as "
                    "`statement.sig`, put `NAME KEY` (the signer's public key) in `allowed_signers`, and run "
                    "`ssh-keygen -Y verify -f allowed_signers -I NAME -n pmjournal -s statement.sig < statement.txt`. "
                    "`pmjournal verify --evidence THIS-FILE` checks the signature, every entry against the proofs and the "
                    "document against the statement (docs/evidence.md)."
                ).format(fingerprint=evidence["fingerprint"], key_type=evidence["public_key"].split()[0])
                + "\n\n"
            )
        else:
            out.append(
                _(
                    "This document is **not signed** (no `signing_key` was configured): the proofs below tie its entries to "
                    "the journal's chain head, but nothing shows who made it. `pmjournal verify --evidence THIS-FILE` checks "
                    "them; `pmjournal verify --since THIS-FILE` checks that a journal still extends that head."
                )
                + "\n\n"
            )
        statement_label, signature_label, json_label = _labels()
        fence = fence_for(statement)
        out.append(f"{statement_label}\n\n{fence}text\n{statement}{fence}\n\n")
        if evidence.get("signature"):
            out.append(f"{signature_label}\n\n```text\n{evidence['signature']}```\n\n")
        out.append(f"{json_label}\n\n```json\n")
        return "".join(out)
