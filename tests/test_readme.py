"""The README must not lie: its Python example runs, and CI runs exactly its test command."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "README has no Python example"
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "'accuracy'" in out


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci and 'bash -c "$cmd"' in ci
    marker = README.index("<!-- test-command")
    command = re.search(r"```bash\n(.*?)\n```", README[marker:], flags=re.S).group(1)
    assert "--nbval" in command and "pytest" in command and "--nbval-lax" not in command
