"""Signing a statement with the SSH key a user already has, in the standard SSHSIG format.

Everything goes through `ssh-keygen -Y` (OpenSSH 8.1 and later), so that anyone
can check a signature with `ssh-keygen -Y verify` alone. The namespace is
`pmjournal`: a signature made for git or for a file cannot pass as ours.

Keys. `signing_key` in config.toml names the private key file (ed25519 or RSA,
e.g. ~/.ssh/id_ed25519); its public half is read from `PATH.pub`, or derived
from the private key when that file is missing and the key has no passphrase.
A passphrase-protected key signs through ssh-agent when the agent holds it
(`ssh-keygen -Y sign -f PATH.pub` then asks the agent); otherwise signing is
refused with how to add it (`ssh-add PATH`). ssh-keygen is never left to ask
for a passphrase itself: in the app that would be a prompt nobody can see.
"""

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import PmjournalError
from ..i18n import _

NAMESPACE = "pmjournal"
ARMOUR_START = "-----BEGIN SSH SIGNATURE-----"
_FINGERPRINT = re.compile(r"(SHA256:[A-Za-z0-9+/=]+)")


class SigningError(PmjournalError):
    """A signature that could not be made or checked; nothing was written."""


def _keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise SigningError(_("signing needs `ssh-keygen` (OpenSSH), which is not on PATH"))
    return found


def _run(args: list[str], input: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    # stdin is the message or nothing, never the terminal: ssh-keygen must not prompt.
    return subprocess.run(
        [_keygen(), *args],
        input=input if input is not None else b"",
        capture_output=True,
        env=env,
        check=False,
        start_new_session=True,  # no controlling terminal: a passphrase prompt cannot appear
    )


def _reason(done: subprocess.CompletedProcess) -> str:
    text = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
    return text[-1] if text else _("ssh-keygen exited {returncode}").format(returncode=done.returncode)


@dataclass(frozen=True)
class PublicKey:
    line: str  # "ssh-ed25519 AAAA… comment", as in a .pub file

    @property
    def kind(self) -> str:
        return self.line.split()[0]

    @property
    def blob(self) -> str:
        """The key without its comment: what identifies it."""
        return " ".join(self.line.split()[:2])

    def fingerprint(self) -> str:
        return _fingerprint(self.blob)


@functools.lru_cache(maxsize=64)
def _fingerprint(blob: str) -> str:
    # A pure function of the key: kept for the process, since one signed export or
    # verification asks for the same key's several times (a refusal raises, and is not kept).
    with tempfile.NamedTemporaryFile("w", suffix=".pub") as fh:
        fh.write(blob + "\n")
        fh.flush()
        done = _run(["-l", "-E", "sha256", "-f", fh.name])
    found = _FINGERPRINT.search(done.stdout.decode(errors="replace"))
    if done.returncode != 0 or not found:
        raise SigningError(_("not an SSH public key: {reason}").format(reason=_reason(done)))
    return found.group(1)


def parse_public_key(text: str) -> PublicKey:
    parts = (text or "").strip().split()
    if len(parts) < 2 or not parts[0].startswith(("ssh-", "ecdsa-", "sk-")):
        raise SigningError(_("not an SSH public key (expected a line such as `ssh-ed25519 AAAA… you@host`)"))
    key = PublicKey(" ".join(parts))
    key.fingerprint()  # refuses what ssh-keygen cannot read
    return key


def _is_public_key(path: Path) -> bool:
    """Whether the file holds an OpenSSH public key ("ssh-ed25519 AAAA…"), not a private one."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(64)
    except OSError:
        return False
    return start.startswith((b"ssh-", b"ecdsa-sha2-", b"sk-ssh-", b"sk-ecdsa-"))


class SigningKey:
    """The key named by config `signing_key`."""

    def __init__(self, path):
        self.path = Path(os.path.expanduser(str(path)))
        if not self.path.is_file():
            raise SigningError(
                _("signing_key {path} is not a file; set it to your private key (e.g. ~/.ssh/id_ed25519)").format(path=self.path)
            )
        if _is_public_key(self.path):
            # The commonest slip: the .pub beside the key. ssh-keygen's answer, "bad permissions"
            # about a key file, over three lines, did not say so.
            private = self.path.with_suffix("") if self.path.suffix == ".pub" else None
            raise SigningError(
                (
                    _("{path} is a public key: give the private key beside it, {private}")
                    if private is not None and private.is_file()
                    else _("{path} is a public key: give the private key it belongs to")
                ).format(path=self.path, private=private)
            )

    def _has_passphrase(self) -> bool:
        done = _run(["-y", "-P", "", "-f", str(self.path)])
        return done.returncode != 0

    def public(self) -> PublicKey:
        pub = Path(str(self.path) + ".pub")
        if pub.is_file():
            return parse_public_key(pub.read_text(encoding="utf-8", errors="replace"))
        done = _run(["-y", "-P", "", "-f", str(self.path)])
        if done.returncode != 0:
            raise SigningError(
                _("cannot read the public half of {path} (and {pub} is missing): {reason}").format(
                    path=self.path, pub=pub, reason=_reason(done)
                )
            )
        return parse_public_key(done.stdout.decode())

    def _in_agent(self, key: PublicKey) -> bool:
        if not os.environ.get("SSH_AUTH_SOCK") or shutil.which("ssh-add") is None:
            return False
        done = subprocess.run(["ssh-add", "-L"], capture_output=True, stdin=subprocess.DEVNULL, check=False)
        return done.returncode == 0 and any(" ".join(line.split()[:2]) == key.blob for line in done.stdout.decode().splitlines())

    def check(self) -> bool:
        """Whether signing will go through ssh-agent; refuses, before anything is written,
        a key that could only sign by asking for its passphrase."""
        if self._in_agent(self.public()):
            return True
        if self._has_passphrase():
            raise SigningError(
                _(
                    "{path} is protected by a passphrase and ssh-agent does not hold it: run `ssh-add {path}` (nothing was exported)"
                ).format(path=self.path)
            )
        return False

    def sign(self, message: bytes) -> str:
        """The SSHSIG armour of `message` (namespace pmjournal)."""
        key = self.public()
        with tempfile.TemporaryDirectory() as folder:
            if self.check():
                signer = Path(folder) / "key.pub"
                signer.write_text(key.line + "\n")
            else:
                signer = self.path
            message_file = Path(folder) / "statement"
            message_file.write_bytes(message)
            done = _run(["-Y", "sign", "-f", str(signer), "-n", NAMESPACE, str(message_file)])
            if done.returncode != 0:
                raise SigningError(
                    _("ssh-keygen could not sign with {path}: {reason}").format(path=self.path, reason=_reason(done))
                )
            return (Path(str(message_file) + ".sig")).read_text(encoding="ascii")


def signature_key(armour: str, message: bytes) -> str:
    """The fingerprint of the key that made `armour` over `message`, if the signature is
    valid for it (whoever that key belongs to: `verify_signed` checks that). Raises
    SigningError if it is not a valid pmjournal signature of these bytes."""
    with tempfile.TemporaryDirectory() as folder:
        sig = Path(folder) / "statement.sig"
        sig.write_text(armour)
        done = _run(["-Y", "check-novalidate", "-n", NAMESPACE, "-s", str(sig)], input=message)
    found = _FINGERPRINT.search(done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace"))
    if done.returncode != 0 or not found:
        raise SigningError(_("the signature does not match the statement ({reason})").format(reason=_reason(done)))
    return found.group(1)


def principals(armour: str, allowed_signers: Path) -> list[str]:
    """Who, in an allowed_signers file, the key that made `armour` belongs to."""
    with tempfile.TemporaryDirectory() as folder:
        sig = Path(folder) / "statement.sig"
        sig.write_text(armour)
        done = _run(["-Y", "find-principals", "-s", str(sig), "-f", str(allowed_signers)])
    return done.stdout.decode().split() if done.returncode == 0 else []


def verify_signed(armour: str, message: bytes, allowed_signers: Path, principal: str) -> None:
    """`ssh-keygen -Y verify`: the signature is valid and made by `principal`'s key."""
    with tempfile.TemporaryDirectory() as folder:
        sig = Path(folder) / "statement.sig"
        sig.write_text(armour)
        done = _run(["-Y", "verify", "-f", str(allowed_signers), "-I", principal, "-n", NAMESPACE, "-s", str(sig)], input=message)
    if done.returncode != 0:
        raise SigningError(
            _("the signature is not {principal}'s in {allowed_signers} ({reason})").format(
                principal=principal, allowed_signers=allowed_signers, reason=_reason(done)
            )
        )
