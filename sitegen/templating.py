"""The Jinja environment shared by the site and the cards, and its compiled templates."""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
from functools import lru_cache
from pathlib import Path

import jinja2

from .i18n import catalogue
from .inline import plain_text
from .metadata import topic_json_ld
from .prose import to_html
from .sources import Templates


class _TemplatesLoader(jinja2.BaseLoader):
    """Templates from the bytes a build read (see sources.Templates), named by their paths."""

    def __init__(self, templates: Templates) -> None:
        self.templates = templates

    def get_source(self, environment, template):
        return (self.templates.file(template).decode("utf-8"), str(self.templates.folder / template),
                lambda: True)

    def list_templates(self):
        return sorted(self.templates.files)


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in a folder, each signed with a key that is not kept there.

    A compiled template is Python code, run when it is loaded. The cache folder is data that
    someone else may have written (a CI cache restored from another run, a folder another user
    can write), so an entry is loaded only when its signature, made with this user's key, is
    right; any other entry is compiled again. Compiling every template anew costs a small
    rebuild most of its time, which is why they are kept at all."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.key = key

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def _signature(self, bucket: jinja2.bccache.Bucket, code: bytes) -> bytes:
        return hmac.new(self.key, f"{bucket.key}:{bucket.checksum}:".encode() + code,
                        hashlib.sha256).digest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            stored = self._path(bucket).read_bytes()
        except OSError:
            return
        signature, code = stored[:32], stored[32:]
        if hmac.compare_digest(signature, self._signature(bucket, code)):
            bucket.load_bytecode(io.BytesIO(code))  # checks Jinja's magic and the source's sum

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from .output import write_file

        code = io.BytesIO()
        bucket.write_bytecode(code)
        try:
            write_file(self._path(bucket), self._signature(bucket, code.getvalue())
                       + code.getvalue(), mode=0o600, folder_mode=0o700)
        except OSError:  # a full disk: the template is compiled again next time, that is all
            pass


KEY_VARIABLE = "SITEGEN_KEY_FILE"
"""Where the key that signs compiled templates is kept, if not in the user's cache folder."""


@lru_cache(maxsize=None)
def signing_key() -> bytes:
    """This user's key for compiled templates: ~/.cache/sitegen/template-key (or under
    $XDG_CACHE_HOME), made on first use, readable by the user alone. Without a home to keep
    it in, a key for this process only: templates are then compiled by every build."""
    from .output import write_file

    try:
        path = Path(os.environ.get(KEY_VARIABLE) or Path(
            os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sitegen" / "template-key")
        return _read_key(path)
    except RuntimeError:  # no home folder
        return secrets.token_bytes(32)
    except OSError:
        pass
    try:
        # Missing, cut short by a stopped process, or not the user's alone: a new one,
        # renamed into place whole. Entries signed with an older key are compiled again.
        write_file(path, secrets.token_bytes(32), mode=0o600, folder_mode=0o700)
        return _read_key(path)  # another process may have put its own in place meanwhile
    except OSError:
        return secrets.token_bytes(32)


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with open(fd, "rb") as file:
        stat = os.fstat(fd)
        key = file.read(33)
    # A key others could read or write would let them sign code.
    if stat.st_uid != os.geteuid() or stat.st_mode & 0o077 or len(key) != 32:
        raise OSError(f"{path} is not a key of this user's")
    return key


_ENVIRONMENTS: dict[tuple[str, str, str], jinja2.Environment] = {}
"""The environments made in this process, by what their templates hold, where they were read
from and where their compiled forms are kept: a long-lived process (sitegen serve) builds
again and again with the same templates, and each build would otherwise load and check every
compiled template it renders once more. Keyed by the templates' bytes, one cannot be stale."""
ENVIRONMENTS_KEPT = 4


def make_environment(templates: Templates | Path,
                     compiled_dir: Path | None = None) -> jinja2.Environment:
    """templates: as read by the build, or a folder to read them from. compiled_dir keeps the
    templates compiled to Python between builds, signed (see SignedBytecodeCache). The same
    templates give the same environment, with the templates it compiled or loaded."""
    templates = Templates.of(templates)
    key = (templates.fingerprint, str(templates.folder), str(compiled_dir))
    environment = _ENVIRONMENTS.get(key)
    if environment is None:
        if len(_ENVIRONMENTS) >= ENVIRONMENTS_KEPT:
            _ENVIRONMENTS.clear()
        environment = _ENVIRONMENTS[key] = _new_environment(templates, compiled_dir)
    return environment


def _new_environment(templates: Templates, compiled_dir: Path | None) -> jinja2.Environment:
    bytecode = None
    if compiled_dir is not None:
        try:
            compiled_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            bytecode = SignedBytecodeCache(compiled_dir, signing_key())
        except OSError:
            pass
    env = jinja2.Environment(
        bytecode_cache=bytecode,
        loader=_TemplatesLoader(templates),
        # Content is untrusted text: escape everything that is not already Markup. The card
        # stylesheet (.css) is rendered through the same environment and holds no content.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = prose_html
    env.globals["t"] = interface_string
    env.globals["script_strings"] = script_strings
    env.globals["topic_json_ld"] = topic_json_ld
    # Model text in an attribute, a <title> or metadata: the text a reader sees, no markup.
    env.filters["plain"] = plain_text
    return env


# Every page and card is rendered with the site in its context, whose language picks the
# catalogue: one environment serves builds of any language. Macros that call t() are
# imported "with context" for the same reason.
@jinja2.pass_context
def interface_string(context, key: str, **values):
    """t("key", name=value): the interface string in the site's language, as HTML."""
    return catalogue(context["site"].language).markup(key, **values)


@jinja2.pass_context
def prose_html(context, markdown: str, doc_id: str = ""):
    """Prose as HTML, its callout labels in the site's language."""
    return to_html(markdown, doc_id, catalogue(context["site"].language).sections["pages"])


SCRIPT_GROUPS = ("flashcards", "practice")
"""Scripts that run on one page each: their strings, keyed "<group>_...", go to that page
alone, so that every topic page does not carry them too."""


@jinja2.pass_context
def script_strings(context, *groups: str) -> dict:
    """The strings the page's scripts show, for the JSON the page hands them: those of every
    page, and those of the SCRIPT_GROUPS named."""
    return _script_strings(context["site"].language, groups)


@lru_cache(maxsize=None)
def _script_strings(language: str, groups: tuple[str, ...]) -> dict:
    strings = catalogue(language).sections["scripts"]
    return {key: entry for key, entry in strings.items()
            if key.split("_", 1)[0] not in SCRIPT_GROUPS or key.split("_", 1)[0] in groups}
