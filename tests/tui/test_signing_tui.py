"""Signed exports in the app: the export dialog says whether (and with which key) it will
sign, the palette's "Signing key…" sets config signing_key, and the detail pane names the
key in effect in an entry's chain when it was recorded. Real keys from ssh-keygen."""

import shutil
import subprocess

import pytest
from clihelp import run_cli
from teamhelp import team_of
from textual.widgets import Input, Label
from tuihelp import SIZE, case, loaded, palette_shows, pilot_test, static_text, typed, wait_for

from pmjournal.core import config
from pmjournal.core.store import Journal
from pmjournal.tui.forms import ExportDialog, SigningKeyDialog
from pmjournal.tui.forms.export import UNSIGNED, UNSIGNED_CSV
from pmjournal.tui.screens.trail import TrailScreen
from pmjournal.tui.session import JournalSession
from pmjournal.tui.signers import Signers

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="signing needs ssh-keygen (OpenSSH)")


def make_key(folder, name="id", passphrase=""):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "pat@example", "-f", str(path)], check=True)
    return path


def fingerprint(path) -> str:
    done = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", f"{path}.pub"], capture_output=True, text=True, check=True)
    return done.stdout.split()[1]


@pytest.fixture
def key(tmp_path):
    return make_key(tmp_path / "keys")


def label_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Label).content)


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_export(pilot):
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportDialog))
    return pilot.app.screen


async def open_signing_key(pilot):
    await pilot.press("ctrl+p")
    await typed(pilot, "Signing key", palette_shows(pilot.app, "Signing key"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SigningKeyDialog))
    return pilot.app.screen


# -- the export dialog -------------------------------------------------------


async def the_export_dialog_says_an_export_is_unsigned_without_a_key(app, pilot):
    dialog = await open_export(pilot)
    assert label_text(dialog, "#signing") == UNSIGNED
    assert "Signing key…" in UNSIGNED  # names the palette entry that sets one
    await pilot.press("shift+tab", "down", "down", "enter")  # CSV
    await pilot.pause()
    assert label_text(dialog, "#signing") == UNSIGNED_CSV
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))


@pilot_test
async def test_a_signed_export_from_the_app_names_the_key_and_verifies(demo_db, make_app, key, tmp_path):
    out = tmp_path / "signed.md"
    app = make_app(demo_db, signing_key=str(key))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        dialog = await open_export(pilot)
        expected = f"Signed (config signing_key) with ed25519 key {fingerprint(key)}"
        await wait_for(pilot, lambda: label_text(dialog, "#signing") == expected)
        assert not dialog.query_one("#signing", Label).has_class("pm-error")
        dialog.query_one(Input).value = str(out)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
        assert f"Exported to {out}\nSigned with ed25519 key {fingerprint(key)}" in notices(app)
        # The key record the export appended reaches the trail's snapshot (a catch-up, not a reload).
        await wait_for(pilot, lambda: bool(app.screen.snapshot.signers))
    assert out.is_file()
    proc = run_cli("--db", str(demo_db), "verify", "--evidence", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "signed by the key SHA256:" in proc.stdout
    assert [r["fingerprint"] for r in Journal(demo_db, user="Pat PM").signing_keys()] == [fingerprint(key)]


@pilot_test
async def test_a_key_with_a_passphrase_and_no_agent_is_named_and_nothing_is_written(
    demo_db, make_app, tmp_path, monkeypatch
):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.chdir(tmp_path)  # the dialog's default file name is relative to here
    locked = make_key(tmp_path / "keys", "locked", passphrase="secret")
    app = make_app(demo_db, signing_key=str(locked))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        dialog = await open_export(pilot)
        await wait_for(pilot, lambda: label_text(dialog, "#signing").startswith("Cannot sign: "))
        said = label_text(dialog, "#signing")
        assert "protected by a passphrase and ssh-agent does not hold it" in said
        assert f"ssh-add {locked}" in said and "\n" not in said
        assert dialog.query_one("#signing", Label).has_class("pm-error")
        await pilot.press("enter")  # saving anyway: refused beside the path
        await wait_for(pilot, lambda: "passphrase" in label_text(dialog, "#error"))
        error = label_text(dialog, "#error")
        assert "\n" not in error and "nothing was exported" in error
        assert app.screen is dialog
    assert list(tmp_path.glob("pmjournal-*")) == []
    assert Journal(demo_db, user="Pat PM").signing_keys() == []


# -- Signing key… in the command palette ---------------------------------------


@pilot_test
async def test_the_export_dialog_and_the_palettes_signing_key(demo_db, make_app, key, tmp_path):
    """Without a key the export dialog says an export is unsigned; then the palette sets a key,
    refusing what is not one, and clears it again: in one app."""
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("hello\n")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        with case("the export dialog says an export is unsigned without a key"):
            await the_export_dialog_says_an_export_is_unsigned_without_a_key(app, pilot)
        with case("the palette sets the signing key and refuses what is not a key"):
            dialog = await open_signing_key(pilot)
            field = dialog.query_one(Input)
            assert field.value == ""

            for entered, said in (
                (str(not_a_key), "cannot read the public half"),
                (str(tmp_path / "[bold]missing"), "[bold]missing is not a file"),  # typed text is data, not markup
            ):
                field.value = entered
                await pilot.press("enter")
                await wait_for(pilot, lambda said=said: said in label_text(dialog, "#error"))
                assert "\n" not in label_text(dialog, "#error")
                assert app.screen is dialog
            assert config.load().signing_key == ""

            field.value = str(key)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
            assert config.load().signing_key == str(key)
            assert app.session.signing_key == str(key) and app.cfg.signing_key == str(key)
            assert f"Exports are now signed with ed25519 key {fingerprint(key)}" in notices(app)

            # The export dialog follows at once.
            dialog = await open_export(pilot)
            await wait_for(pilot, lambda: label_text(dialog, "#signing").startswith("Signed (config signing_key) with ed25519 key SHA256:"))
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))

            # An empty field clears it.
            dialog = await open_signing_key(pilot)
            assert dialog.query_one(Input).value == str(key)
            dialog.query_one(Input).value = ""
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, TrailScreen))
    assert config.load().signing_key == ""
    assert app.session.signing_key == ""


# -- the signer in the detail pane -----------------------------------------------


def public_of(key) -> tuple[str, str]:
    return (key.parent / f"{key.name}.pub").read_text().strip(), fingerprint(key)


@pilot_test
async def test_the_detail_pane_names_the_signer_of_entries_recorded_after_the_key(demo_db, make_app, key):
    journal = Journal(demo_db, user="Pat PM")
    before = journal.add("decision", {"title": "Before the key", "owner": "Pat PM"})
    key_record = journal.record_key(*public_of(key))
    after = journal.add("decision", {"title": "After the key", "owner": "Pat PM"})
    assert before["seq"] < key_record["seq"] < after["seq"]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert screen.table.current["id"] == after["id"]
        lines = static_text(screen, "#detail-main").splitlines()
        signer = [line for line in lines if line.startswith("Signer ")]
        assert [" ".join(line.split()) for line in signer] == [f"Signer ed25519 {fingerprint(key)} (since #{key_record['seq']})"]
        await pilot.press("down")
        await wait_for(pilot, lambda: screen.detail.view is not None and screen.detail.view["id"] == before["id"])
        assert "Signer" not in static_text(screen, "#detail-main")


def test_a_signer_is_the_last_key_of_the_entrys_own_chain_before_it():
    def key(seq, fp, author=None):
        record = {"kind": "key", "seq": seq, "public_key": "ssh-ed25519 AAAA x", "fingerprint": fp}
        if author:
            record.update(author=author, ref=f"{author}#{seq}")
        return record

    own = [{"kind": "decision", "seq": 1}, key(2, "A"), {"kind": "decision", "seq": 3}, key(4, "B")]
    bob = [{"kind": "note", "seq": 1, "author": "bob"}, key(5, "C", "bob")]
    signers = Signers.read([own, bob])
    assert signers.of({"seq": 1}) is None
    assert signers.of({"seq": 3})["fingerprint"] == "A"
    assert signers.of({"seq": 9})["fingerprint"] == "B"
    assert signers.of({"seq": 3, "author": "bob"}) is None  # bob's #3 is before bob's key: our keys are not his
    assert signers.of({"seq": 6, "author": "bob"})["ref"] == "bob#5"
    assert signers.of({"seq": 6, "author": "carol"}) is None
    assert not Signers.read([[{"kind": "note", "seq": 1}]])  # a journal that never signed: nothing to show
    later = signers.extended([{"kind": "decision", "seq": 5}, key(6, "D")])
    assert later.of({"seq": 7})["fingerprint"] == "D" and signers.of({"seq": 7})["fingerprint"] == "B"


def test_a_colleagues_entry_shows_the_key_of_the_colleagues_chain(tmp_path, key):
    dana, bob = team_of(tmp_path, "Dana Whitfield", "Bob Li")
    dana.journal().add("decision", {"title": "Dana before", "owner": "Dana"})
    dana_key = dana.journal().record_key(*public_of(key))
    dana.journal().add("decision", {"title": "Dana after", "owner": "Dana"})
    dana.sync()
    bob.journal().add("decision", {"title": "Bob's own", "owner": "Bob"})
    bob.sync()
    snap = JournalSession.open(bob.path, "Bob Li").load()
    by_title = {v["title"]: v for v in snap.views.values()}
    assert snap.signers.of(by_title["Dana before"]) is None
    assert snap.signers.of(by_title["Dana after"])["ref"] == f"dana#{dana_key['seq']}"
    assert snap.signers.of(by_title["Bob's own"]) is None  # Bob never signed
