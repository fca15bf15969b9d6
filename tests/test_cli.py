"""The command line as authors use it: messages, exit codes, and no tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_check_reports_success_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--content", str(ROOT / "tests" / "fixtures" / "layered")]) == 0
    assert "no errors" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_content_errors_exit_1_with_located_messages_and_no_traceback(content_copy, tmp_path):
    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("title: Cloud", "titel: Cloud"),
                    encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content_copy),
                             "--templates", str(ROOT / "templates"), "--output", str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{content_copy}/site.yaml:4:1: error: unknown key 'titel' in site.yaml"
                               " (hint: did you mean 'title'?)")
    assert lines[-1].endswith(f"; {tmp_path / 'out'}/ was left unchanged")
    assert not (tmp_path / "out").exists()


def test_build_prints_one_summary_line_and_v_says_what_and_why(tmp_path, capsys):
    command = ["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates"),
               "--output", str(tmp_path / "out"), "--cache", str(tmp_path / "cache")]
    assert main(command) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    # The pages: the topic, the index, 404.html, flashcards.html and practice.html.
    assert re.fullmatch(rf"built {tmp_path / 'out'}/: 5 pages, 2 diagrams, 2 cards at 8 pt; "
                        r"24 files written; \d+\.\d\d s", out[0])
    assert main(command) == 0
    assert re.fullmatch(r"built .*: 5 pages, 2 diagrams, 2 cards at 8 pt; nothing changed; \d+\.\d\d s",
                        capsys.readouterr().out.strip())
    (tmp_path / "out" / "index.html").unlink()
    assert main([*command, "-v"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"built .*; 1 file written, \d+ from cache; .*", out[0])
    assert out[1:] == ["  why: output files were changed or removed by hand",
                       "  written: index.html"] + out[3:]
    assert [line for line in out[3:] if not line.startswith("  card: ")][0].startswith("  cache: ")


def test_missing_graphviz_is_named_with_its_debian_package(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    code = main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates"),
                 "--output", str(tmp_path / "out")])
    assert code == 3
    assert "Debian package: graphviz" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_cache_folder_sitegen_did_not_make_is_refused_not_emptied(tmp_path, capsys):
    project = tmp_path / "project"
    (project / "notes").mkdir(parents=True)
    (project / "notes" / "thesis.tex").write_text("precious", encoding="utf-8")
    code = main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates",
                 str(ROOT / "templates"), "--output", str(tmp_path / "out"),
                 "--cache", str(project)])
    assert code == 3
    assert f"{project}/ is not a sitegen cache folder" in capsys.readouterr().err
    assert (project / "notes" / "thesis.tex").read_text(encoding="utf-8") == "precious"
    assert not (tmp_path / "out").exists()


def test_wrong_folders_and_base_url_are_usage_errors(tmp_path, capsys):
    import pytest

    cases = [
        (["check", "--content", str(tmp_path / "nowhere")], "content folder not found"),
        (["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(tmp_path / "nowhere")],
         "templates folder not found"),
        (["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(tmp_path)],
         f"not a templates folder: {tmp_path}/ has no topic.html"),
        (["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates"),
          "--base-url", "user.github.io/repo"], "--base-url must be a full address"),
        (["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates"),
          "--base-url", "https://u.github.io/repo/?x=1"], "--base-url must have no ?query"),
        (["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates"),
          "--base-url", "https://u.github.io/my repo/"], "written with %-escapes"),
        (["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates"),
          "--base-url", "https://u.github.io/répo/"], "written with %-escapes"),
        (["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates"),
          "-j", "0"], "-j/--jobs must be at least 1, got 0"),
    ]
    for argv, message in cases:
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
        assert message in capsys.readouterr().err


def test_an_output_path_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    import pytest

    target = tmp_path / "output"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(ROOT / "templates"),
              "--output", str(target)])
    assert exit_.value.code == 2 and "is a file" in capsys.readouterr().err


# A syntax error is met when the templates are loaded; a name topic.html does not have only
# when the pages are rendered, while the cards are being laid out in other processes, which
# the failed build then stops. A page rendered in a worker process fails there.
@pytest.mark.parametrize("template, before, mistake, in_worker", [
    ("blocks/tips.html", "", "{% if %}", False),
    ("topic.html", '<p class="lede">', "{{ no_such_name.title }}", False),
    ("topic.html", '<p class="lede">', "{{ no_such_name.title }}", True),
])
def test_a_template_mistake_is_reported_without_a_traceback(tmp_path, capsys, monkeypatch,
                                                            template, before, mistake, in_worker):
    import shutil

    from sitegen import workers

    if in_worker:
        monkeypatch.setattr(workers, "PARALLEL_MINIMUM", 1)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    broken = templates / template
    text = broken.read_text(encoding="utf-8")
    assert before in text
    text = text.replace(before, mistake + before, 1) if before else text + mistake + "\n"
    broken.write_text(text, encoding="utf-8")
    code = main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(templates),
                 "--output", str(tmp_path / "out"), "--jobs", "2", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 3
    assert "sitegen: error in the templates:" in err and "Traceback" not in err
    assert re.search(rf"{re.escape(template)}:\d+: ", err), err  # the file and line to look at
    assert not (tmp_path / "out").exists()


def test_a_template_mistake_in_a_worker_is_placed_in_the_template_not_in_python():
    from concurrent.futures.process import _RemoteTraceback

    from sitegen.errors import template_error_line

    problem = NameError("no_such_name is undefined")
    problem.__cause__ = _RemoteTraceback(
        'Traceback (most recent call last):\n'
        '  File "/usr/lib/python3.11/concurrent/futures/process.py", line 256, in _process_worker\n'
        '  File "/site/templates/topic.html", line 33, in top-level template code\n'
        '  File "<frozen importlib._bootstrap>", line 1178, in _find_and_load\n'
        '  File "<string>", line 1, in <module>\n')
    assert template_error_line(problem).startswith(
        "sitegen: error in the templates: /site/templates/topic.html:33: NameError")


def test_base_path_comes_from_the_base_url():
    from sitegen.pipeline import BuildConfig

    assert BuildConfig(base_url="").base_path == ""
    assert BuildConfig(base_url="https://user.github.io").base_path == "/"
    assert BuildConfig(base_url="https://user.github.io/repo").base_path == "/repo/"
    assert BuildConfig(base_url="https://user.github.io/repo/").base_path == "/repo/"


@pytest.mark.parametrize("missing", ["static/site.css", "blocks/tips.html"])
def test_a_missing_template_or_asset_is_named_without_a_traceback(tmp_path, capsys, missing):
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / missing).unlink()
    code = main(["build", "--content", str(ROOT / "tests" / "fixtures" / "layered"), "--templates", str(templates),
                 "--output", str(tmp_path / "out"), "--no-cache"])
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err, err
    assert f"{templates / missing} is missing" in err, err  # where it was looked for
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_a_build_stopped_midway_stops_its_workers_and_leaves_nothing_behind(tmp_path, stop):
    import os
    import signal
    import time

    from processes import parent, session_processes

    sys.path.insert(0, str(ROOT / "bench"))
    import synthetic

    synthetic.generate(tmp_path, 150)
    build = subprocess.Popen(
        [sys.executable, "-c", "from sitegen.cli import entry_point; entry_point()", "build",
         "--content", "content", "--templates", str(ROOT / "templates"), "--output", "out",
         "--no-cache"], cwd=tmp_path, start_new_session=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        # Stopped once it works in worker processes, children of its fork server.
        while time.monotonic() < deadline and not [
                pid for pid in session_processes(build.pid)
                if pid != build.pid and parent(pid) not in (build.pid, 0, 1)]:
            time.sleep(0.01)
        if stop == "ctrl-c":  # to the whole group, as a terminal does
            os.killpg(build.pid, signal.SIGINT)
        else:  # to the build alone, as `kill` does
            build.send_signal(signal.SIGTERM)
        out, err = build.communicate(timeout=60)
        deadline = time.monotonic() + 60
        while session_processes(build.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert session_processes(build.pid) == []
    finally:
        for pid in session_processes(build.pid):
            os.kill(pid, signal.SIGKILL)
    assert (build.returncode, out, err) == (130, "", "sitegen: interrupted\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["content", "hugo", "mkdocs"]
