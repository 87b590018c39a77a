"""The user's settings: config.toml in the config folder (see paths.py).

Read by the CLI (name for `recorded_by`, default project, `answer_days` for
open loops) and the TUI (theme, keymap). Unknown keys are refused with a
suggestion rather than ignored, so a typo does not silently do nothing. Writes are atomic (temp file + rename).
"""

from pathlib import Path

from . import paths
from .errors import PmjournalError
from .i18n import N_, _
from .model import ANSWER_DAYS

KEYS = {"name": str, "project": str, "theme": str, "keymap": dict, "answer_days": int, "signing_key": str, "language": str}
MAX_ANSWER_DAYS = 260


_NEW_DICT: dict = {}  # the default keymap: a new empty dict for each Config, never this one


class Config:
    """The settings. A plain class rather than a dataclass: importing dataclasses (inspect,
    ast, dis, tokenize) costs ~8 ms of every command's start, `pmjournal add` included."""

    _FIELDS = ("name", "project", "theme", "keymap", "answer_days", "signing_key", "language", "path")

    def __init__(
        self,
        name: str = "",
        project: str = "",
        theme: str = "",
        keymap: dict = _NEW_DICT,
        # Working days an escalation (raised to someone) waits for an answer before
        # its loop is overdue (loops.py).
        answer_days: int = ANSWER_DAYS,
        # The SSH private key exports are signed with (evidence/signing.py); "" signs nothing.
        signing_key: str = "",
        # The interface language ("en", "zh_CN"); "" follows the locale (i18n.resolve).
        language: str = "",
        path: Path | None = None,
    ):
        self.name = name
        self.project = project
        self.theme = theme
        self.keymap = {} if keymap is _NEW_DICT else keymap
        self.answer_days = answer_days
        self.signing_key = signing_key
        self.language = language
        self.path = path

    def __repr__(self) -> str:
        return "Config(" + ", ".join(f"{key}={getattr(self, key)!r}" for key in self._FIELDS) + ")"

    def __eq__(self, other) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, key) == getattr(other, key) for key in self._FIELDS)

    __hash__ = None  # mutable, as the dataclass was

    @property
    def user(self) -> str:
        if self.name:
            return self.name
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


def load(path: Path | None = None) -> Config:
    path = path or paths.config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path=path)
    except (UnicodeDecodeError, OSError) as err:
        raise PmjournalError(_("cannot read the config file {path}: {err}").format(path=path, err=err)) from err
    import tomllib  # only when there is a file: most CLI runs have none to parse

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PmjournalError(_("cannot read the config file {path}: {err}").format(path=path, err=err)) from err
    for key, value in raw.items():
        if key not in KEYS:
            import difflib

            hint = difflib.get_close_matches(key, KEYS, n=1)
            if hint:
                extra = _("; did you mean {key!r}?").format(key=hint[0])
            else:
                extra = _("; known keys: {keys}").format(keys=", ".join(KEYS))
            raise PmjournalError(_("unknown key {key!r} in {path}{extra}").format(key=key, path=path, extra=extra))
        if not isinstance(value, KEYS[key]) or (KEYS[key] is int and isinstance(value, bool)):
            raise PmjournalError(
                _("{key!r} in {path} must be a {type}").format(key=key, path=path, type=_(_TYPE_WORDS[KEYS[key]]))
            )
    if "answer_days" in raw and not 1 <= raw["answer_days"] <= MAX_ANSWER_DAYS:
        raise PmjournalError(
            _("'answer_days' in {path} is {answer_days}: it counts working days, from 1 to {most} (a year)").format(
                path=path, answer_days=raw["answer_days"], most=MAX_ANSWER_DAYS
            )
        )
    if raw.get("language"):
        from .i18n import check as check_language

        try:
            raw["language"] = check_language(raw["language"])
        except ValueError as err:
            raise PmjournalError(_("'language' in {path}: {err}").format(path=path, err=err)) from err
    check(raw, path)
    key = raw.get("signing_key")
    if key and not key.startswith("~") and not Path(key).is_absolute():
        # Relative to the config file's folder, as git reads its config's paths: relative to
        # wherever pmjournal runs, the key signed from one folder and was "not a file" elsewhere.
        raw["signing_key"] = str(path.parent / key)
    return Config(path=path, **raw)


_TYPE_WORDS = {str: N_("string in quotes"), dict: N_("table"), int: N_("whole number")}


def check(values: dict, path) -> None:
    """The text rules (model.check_text) for every text in the config: `name`
    becomes recorded_by in every record, `project` a field, the others reach
    the screen. One line naming the key and the character."""
    from .errors import ValidationError
    from .model import check_text

    def texts(key, value):
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from texts(f"{key}.{k}", k)
                yield from texts(f"{key}.{k}", v)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from texts(key, item)

    for key, value in values.items():
        for where, text in texts(key, value):
            try:
                check_text(where, text)
            except ValidationError as err:
                raise PmjournalError(f"{path}: {err}") from err


def save(updates: dict, path: Path | None = None) -> Config:
    """Merge `updates` into the config file and write it atomically."""
    path = path or paths.config_file()
    current = load(path)
    defaults = Config()
    data = {k: getattr(current, k) for k in KEYS if getattr(current, k) and getattr(current, k) != getattr(defaults, k)}
    data.update({k: v for k, v in updates.items() if k in KEYS})
    check(data, path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    import tomli_w

    from .files import write_atomically

    write_atomically(path, tomli_w.dumps(data).encode("utf-8"))
    return load(path)
