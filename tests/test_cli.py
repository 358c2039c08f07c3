"""The console script: help on every sub-command, one-line errors with exit 2."""
import subprocess, sys
from pathlib import Path
import pytest

EXE = str(Path(sys.executable).parent / "agentic-lab")
COMMANDS = ["collect", "generate", "process", "train", "evaluate", "report", "run"]


def run(*args, **kw):
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, **kw)


def test_top_level_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0
    for c in COMMANDS:
        assert c in r.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help_and_config(command):
    r = run(command, "--help")
    assert r.returncode == 0, r.stderr
    assert "--config" in r.stdout


def test_unknown_command_is_one_line_exit_2():
    r = run("frobnicate")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "unknown command" in r.stderr


def test_missing_config_is_one_line_exit_2(tmp_path):
    r = run("run", "--config", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2
    assert r.stderr.strip() == f"agentic-lab run: error: {tmp_path / 'nope.yaml'}: config file not found"
    assert "Traceback" not in r.stderr


def test_unknown_config_key_names_the_key(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("train:\n  lerning_rate: 0.1\n")
    r = run("run", "--config", str(cfg))
    assert r.returncode == 2 and "unknown key train.lerning_rate" in r.stderr
