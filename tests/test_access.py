"""Users, password hashes, the log-in limit, the `kvali users` commands and the permission check
the write functions make."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from kvali.access import AccessDenied, Actor, allowed, require, set_actor
from kvali.access import throttle as throttle_module
from kvali.access import users as users_module
from kvali.access.passwords import hash_password, verify_password
from kvali.access.roles import ROLE_PERMISSIONS
from kvali.access.throttle import FREE_FAILURES, Throttle
from kvali.access.users import (
    LoginFailed,
    add_user,
    authenticate,
    has_users,
    list_users,
    remove_user,
    set_password,
    set_role,
)
from kvali.cli.users import users
from kvali.codebook.edit import add_code, merge_codes, reload_codebook, update_code
from kvali.codebook.install import install_codebook
from kvali.coding.store import add_manual_coding, decide, remove_coding, save_memo, set_key_quote
from kvali.errors import KvaliError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.privacy.findings import add_manual, scan_project
from kvali.privacy.findings import decide as decide_findings
from kvali.refiqda.export import export_qdpx
from kvali.refiqda.load import import_qdpx
from kvali.store import open_db
from kvali.store.documents import delete_documents, set_document_kind
from kvali.store.reimport import reimport_document
from kvali.store.schema_privacy import USER_ROLES
from kvali.tagging.run import tag_project
from kvali.ui import actions
from kvali.views.documents import segments_by_id

PASSWORD = "hemmeligt-ord-1"


@pytest.fixture(autouse=True)
def no_actor(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts and ends outside access control, with no failed log-ins counted."""
    set_actor(None)
    monkeypatch.setattr(users_module, "LOG_INS", Throttle())
    yield
    set_actor(None)


@pytest.fixture
def staff(fresh_db: Database) -> Database:
    add_user(fresh_db, "anne", "admin", PASSWORD)
    add_user(fresh_db, "kim", "coder", PASSWORD)
    add_user(fresh_db, "lis", "reader", PASSWORD)
    return fresh_db


# Password hashes


def test_hash_names_scrypt_and_its_parameters() -> None:
    scheme, n, r, p, salt, digest = hash_password(PASSWORD).split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(salt) == 24 and len(digest) == 44  # base64 of 16 and 32 bytes
    assert PASSWORD not in hash_password(PASSWORD)


def test_verify_right_and_wrong_password() -> None:
    stored = hash_password(PASSWORD)
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "x", stored)
    assert not verify_password("", stored)


def test_salt_differs_between_two_hashes_of_one_password() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.split("$")[4] != second.split("$")[4]
    assert first != second


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$1$1$AAAA$AAAA",
                                    "scrypt$1000$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!$AAAA",
                                    "scrypt$1048576$64$1$AAAA$AAAA"])
def test_a_malformed_or_too_costly_hash_never_matches(stored: str) -> None:
    assert not verify_password(PASSWORD, stored)


# Users and the last-admin rule


def test_users_are_listed_without_hashes(staff: Database) -> None:
    assert [(u.name, u.role) for u in list_users(staff)] == [
        ("anne", "admin"), ("kim", "coder"), ("lis", "reader")]
    assert all(set(u.to_dict()) == {"name", "role", "created_at"} for u in list_users(staff))
    assert has_users(staff)


def test_user_events_hold_name_and_role_but_no_password(staff: Database) -> None:
    set_password(staff, "kim", "nyt-kodeord-2")
    payloads = " ".join(row[0] for row in staff.execute("SELECT payload FROM events"))
    assert '"user": "kim"' in payloads
    assert PASSWORD not in payloads and "nyt-kodeord-2" not in payloads and "scrypt" not in payloads


def test_first_user_must_be_an_admin(fresh_db: Database) -> None:
    with pytest.raises(KvaliError, match="first user must be an admin"):
        add_user(fresh_db, "kim", "coder", PASSWORD)
    assert not has_users(fresh_db)


def test_last_admin_cannot_be_removed_or_demoted_while_others_exist(staff: Database) -> None:
    with pytest.raises(KvaliError, match="last admin"):
        remove_user(staff, "anne")
    with pytest.raises(KvaliError, match="last admin"):
        set_role(staff, "anne", "coder")
    set_role(staff, "kim", "admin")
    set_role(staff, "anne", "reader")
    remove_user(staff, "lis")
    remove_user(staff, "anne")
    assert [u.name for u in list_users(staff)] == ["kim"]
    remove_user(staff, "kim")  # the last user of all: the project is single-analyst again
    assert not has_users(staff)


@pytest.mark.parametrize(("name", "password", "message"), [
    ("anne", PASSWORD, "exists already"), ("", PASSWORD, "user name"),
    ("a\nb", PASSWORD, "control characters"), ("ny", "kort", "8 to 1024 characters")])
def test_bad_additions_are_one_line_errors(staff: Database, name: str, password: str,
                                           message: str) -> None:
    with pytest.raises(KvaliError, match=message) as caught:
        add_user(staff, name, "coder", password)
    assert "\n" not in str(caught.value)


# Log-in, its limit and its log


def test_authenticate_right_and_wrong(staff: Database) -> None:
    assert authenticate(staff, " kim ", PASSWORD, "s1").role == "coder"
    for name, password in [("kim", "forkert-ord"), ("ukendt", PASSWORD)]:
        with pytest.raises(LoginFailed) as caught:
            authenticate(staff, name, password, "s1")
        assert caught.value.danish == "Forkert brugernavn eller adgangskode."


def test_failed_log_ins_are_limited_per_name_and_per_session(
        staff: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(users_module, "LOG_INS", Throttle(lambda: clock[0]))
    for attempt in range(FREE_FAILURES):
        with pytest.raises(LoginFailed, match="wrong"):
            authenticate(staff, "kim", f"forkert-{attempt}", "s1")
    with pytest.raises(LoginFailed, match="too many") as caught:
        authenticate(staff, "kim", PASSWORD, "s2")  # the right password, another session
    assert caught.value.danish == "For mange forkerte forsøg. Vent 2 sekunder, og prøv igen."
    with pytest.raises(LoginFailed, match="too many"):
        authenticate(staff, "anne", PASSWORD, "s1")  # another name, the same session
    assert authenticate(staff, "anne", PASSWORD, "s3").name == "anne"
    clock[0] += 2.5
    with pytest.raises(LoginFailed, match="wrong"):
        authenticate(staff, "kim", "forkert-igen", "s2")
    with pytest.raises(LoginFailed, match="in 4 s"):  # the wait doubles
        authenticate(staff, "kim", PASSWORD, "s2")
    clock[0] += 4.5
    assert authenticate(staff, "kim", PASSWORD, "s2").name == "kim"
    assert authenticate(staff, "kim", PASSWORD, "s1").name == "kim"  # success cleared the keys


def test_the_log_line_names_the_user_and_never_the_password(
        staff: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kvali.access")
    for _ in range(FREE_FAILURES + 1):
        with pytest.raises(LoginFailed):
            authenticate(staff, "kim", "mit-forkerte-ord", "s1")
    authenticate(staff, "anne", PASSWORD, "s9")
    records = [r for r in caplog.records if r.name == "kvali.access"]
    lines = [r.getMessage() for r in records]
    assert lines.count("failed log-in for user 'kim'") == FREE_FAILURES
    assert any("refused for user 'kim'" in line for line in lines)
    assert "user 'anne' logged in" in lines
    assert not any("mit-forkerte-ord" in line or PASSWORD in line for line in lines)


def test_forgotten_and_bounded_failures() -> None:
    clock = [0.0]
    limit = Throttle(lambda: clock[0])
    for _ in range(FREE_FAILURES):
        limit.failed(["user:x"])
    assert limit.wait(["user:x"]) == 2.0
    clock[0] += throttle_module.FORGET_AFTER + 1
    limit.failed(["user:y"])
    assert limit.wait(["user:x", "user:y"]) == 0.0


# The `kvali users` commands


def _invoke(path: Path, *args: str, stdin: str = "") -> object:
    return CliRunner().invoke(users, [*args, "--db", str(path)], input=stdin)


def test_cli_add_list_passwd_remove(db_path: Path) -> None:
    open_db(db_path).close()
    added = _invoke(db_path, "add", "anne", "--role", "admin", "--password-stdin",
                    stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert added.output == "added anne (admin)\n"
    prompted = _invoke(db_path, "add", "kim", "--role", "reader",
                       stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output
    listed = _invoke(db_path, "list", "--json")
    assert [(u["name"], u["role"]) for u in json.loads(listed.output)] == [
        ("anne", "admin"), ("kim", "reader")]
    plain = _invoke(db_path, "list")
    assert "scrypt" not in plain.output + listed.output and "kim" in plain.output
    changed = _invoke(db_path, "passwd", "kim", "--password-stdin", stdin="nyt-kodeord-2\n")
    assert changed.exit_code == 0, changed.output
    db = open_db(db_path)
    assert authenticate(db, "kim", "nyt-kodeord-2", "cli").name == "kim"
    role = _invoke(db_path, "set-role", "kim", "--role", "coder")
    assert role.output == "kim is now coder\n"
    removed = _invoke(db_path, "remove", "kim")
    assert removed.exit_code == 0 and removed.output == "removed kim\n"
    assert [u.name for u in list_users(db)] == ["anne"]


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("remove", "anne"), "", "last admin"),
    (("remove", "ingen"), "", "no user 'ingen'"),
    (("add", "kim", "--role", "coder", "--password-stdin"), "kort\n", "8 to 1024"),
    (("passwd", "ingen", "--password-stdin"), PASSWORD + "\n", "no user"),
])
def test_cli_errors_are_one_line_and_exit_non_zero(db_path: Path, args: tuple[str, ...],
                                                   stdin: str, message: str) -> None:
    db = open_db(db_path)
    add_user(db, "anne", "admin", PASSWORD)
    add_user(db, "lis", "reader", PASSWORD)
    result = _invoke(db_path, *args, stdin=stdin)
    assert result.exit_code != 0
    assert isinstance(result.exception, KvaliError)
    assert message in str(result.exception) and "\n" not in str(result.exception)


def test_cli_prompt_must_be_repeated_the_same(db_path: Path) -> None:
    open_db(db_path).close()
    result = _invoke(db_path, "add", "anne", "--role", "admin",
                     stdin=f"{PASSWORD}\nandet-ord-3\n")
    assert result.exit_code != 0
    assert not list_users(open_db(db_path))


# Roles and require()


def test_every_role_has_permissions() -> None:
    assert set(ROLE_PERMISSIONS) == set(USER_ROLES)
    assert ROLE_PERMISSIONS["reader"] == frozenset()
    assert ROLE_PERMISSIONS["coder"] < ROLE_PERMISSIONS["admin"]


def test_no_actor_allows_everything_and_a_logged_out_actor_nothing() -> None:
    require("users")
    set_actor(Actor("", None))
    assert not allowed("code")
    with pytest.raises(AccessDenied) as caught:
        require("code")
    assert caught.value.danish.startswith("Log ind for at kode")


def test_a_coder_may_code_but_not_edit_the_codebook() -> None:
    set_actor(Actor("kim", "coder"))
    require("code")
    require("import")
    with pytest.raises(AccessDenied) as caught:
        require("codebook")
    assert caught.value.danish == ("Som koder kan du ikke ændre kodebogen; det kan kun en "
                                   "administrator.")


def _coding_ids(db: Database) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM codings ORDER BY id")]


def _guarded_calls(db: Database, folder: Path) -> dict[str, Callable[[], object]]:
    """Every guarded write, ready to call on the UI test project."""
    segment_id, document_id = db.execute(
        "SELECT id, document_id FROM segments WHERE speaker_id IS NOT NULL ORDER BY id "
        "LIMIT 1 OFFSET 1").fetchone()
    [segment] = segments_by_id(db, [segment_id])
    manual = add_manual_coding(db, segment.id, "civil", "mette")
    suggestion = db.execute("SELECT id FROM codings WHERE status = 'suggested'").fetchone()[0]
    finding = add_manual(db, document_id, segment.start, segment.start + 2, "name", "mette")
    book = folder / "codebook.yaml"
    (folder / "ny.md").write_text("---\ntitle: Ny udgave\n---\nIP1: Vi holder netværksmøder.\n"
                                  "IP2: De frivillige hjælper.\n", encoding="utf-8")
    return {
        "add_manual_coding": lambda: add_manual_coding(db, segment.id, "netvaerk", "lis"),
        "remove_coding": lambda: remove_coding(db, manual, "lis"),
        "decide": lambda: decide(db, [suggestion], "accepted", "lis"),
        "set_key_quote": lambda: set_key_quote(db, manual, True, "lis"),
        "save_memo": lambda: save_memo(db, "project", "", "memo", "lis"),
        "apply_code": lambda: actions.apply_code(db, [segment], "civil", "lis"),
        "code_selection": lambda: actions.code_selection(db, document_id, segment.start,
                                                         segment.end, "civil", "lis"),
        "remove": lambda: actions.remove(db, manual, "lis"),
        "review": lambda: actions.review(db, [suggestion], "rejected", "lis"),
        "toggle_key_quote": lambda: actions.toggle_key_quote(db, manual, True, "lis"),
        "write_memo": lambda: actions.write_memo(db, "document", 1, "memo", "lis"),
        "tag_project": lambda: tag_project(db, force=True),
        "reload_codebook": lambda: reload_codebook(db, book, "lis"),
        "update_code": lambda: update_code(book, db, "civil", {"name": "Ny"}, "lis"),
        "add_code": lambda: add_code(book, db, "ny", "Ny", None, "lis"),
        "merge_codes": lambda: merge_codes(db, book, "paragraf18", "civil", "lis"),
        "install_codebook": lambda: install_codebook(db, book, book, "lis"),
        "add_user": lambda: add_user(db, "ny", "reader", PASSWORD),
        "remove_user": lambda: remove_user(db, "kim"),
        "mark_personal_data": lambda: actions.mark_personal_data(
            db, document_id, segment.start, segment.end, "name", "lis"),
        "delete_documents": lambda: delete_documents(db, [document_id], "lis"),
        "set_document_kind": lambda: set_document_kind(db, document_id, "report", "lis"),
        "reimport_document": lambda: reimport_document(db, document_id, folder / "ny.md", None,
                                                       "lis"),
        "import_paths": lambda: import_paths(db, [folder / "ny.md"], ReadOptions()),
        "import_qdpx": lambda: import_qdpx(db, _exported(db, folder / "ny.qdpx")),
        "scan_project": lambda: scan_project(db),
        "decide_findings": lambda: decide_findings(db, [finding], "dismissed", "lis"),
    }


GUARDED = ["add_manual_coding", "remove_coding", "decide", "set_key_quote", "save_memo",
           "apply_code", "code_selection", "remove", "review", "toggle_key_quote", "write_memo",
           "tag_project", "reload_codebook", "update_code", "add_code", "merge_codes",
           "install_codebook", "add_user", "remove_user", "mark_personal_data",
           "delete_documents", "set_document_kind", "reimport_document", "import_paths",
           "scan_project", "decide_findings", "import_qdpx"]


def _exported(db: Database, path: Path) -> Path:
    """The project as a .qdpx (exporting only reads), to import again."""
    export_qdpx(db, path)
    return path


def _snapshot(db: Database, folder: Path) -> tuple:
    tables = ("codings", "memos", "codes", "users", "events", "tagged_documents", "documents",
              "pii_findings")
    return (tuple(db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables),
            (folder / "codebook.yaml").read_bytes())


@pytest.mark.parametrize("call", GUARDED)
def test_a_reader_is_refused_in_each_guarded_function(project: Path, call: str) -> None:
    db = open_db(project)
    calls = _guarded_calls(db, project.parent)
    add_user(db, "anne", "admin", PASSWORD)
    add_user(db, "kim", "coder", PASSWORD)
    before = _snapshot(db, project.parent)
    set_actor(Actor("lis", "reader"))
    with pytest.raises(AccessDenied) as caught:
        calls[call]()
    assert caught.value.danish.startswith("Du har kun læseadgang til projektet")
    set_actor(None)
    assert _snapshot(db, project.parent) == before


@pytest.mark.parametrize("call", GUARDED)
def test_each_guarded_function_runs_without_an_actor(project: Path, call: str) -> None:
    db = open_db(project)
    calls = _guarded_calls(db, project.parent)
    add_user(db, "anne", "admin", PASSWORD)
    add_user(db, "kim", "coder", PASSWORD)
    calls[call]()


@pytest.mark.parametrize("call", ["add_manual_coding", "review", "write_memo", "tag_project"])
def test_a_coder_runs_the_coding_functions(project: Path, call: str) -> None:
    db = open_db(project)
    calls = _guarded_calls(db, project.parent)
    set_actor(Actor("kim", "coder"))
    calls[call]()


@pytest.mark.parametrize("call", ["update_code", "install_codebook", "add_user"])
def test_a_coder_is_refused_the_admin_functions(project: Path, call: str) -> None:
    db = open_db(project)
    calls = _guarded_calls(db, project.parent)
    add_user(db, "anne", "admin", PASSWORD)
    set_actor(Actor("kim", "coder"))
    with pytest.raises(AccessDenied, match="kim"):
        calls[call]()
