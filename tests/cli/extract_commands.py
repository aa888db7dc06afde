"""Print every `papyra ...` command of CI files and guides, one JSON object
per line: {"file", "argv", "env"}.  Used by t_examples.sh so that the
example pipelines and the CI/CD guide are run as written.

YAML files (GitHub Actions, GitLab CI, Kubernetes) are parsed: shell text
under run / script / before_script / after_script keys, and container
command + args lists (with the container's env).  Markdown and text guides:
fenced code blocks, shell ones line by line, YAML ones parsed as above.
A line that uses papyra other than as its first word (in a pipe, after
sudo, in $(...)) is an error: the test could not run it as written.

Usage: /usr/bin/python3 extract_commands.py FILE...   (needs python3-yaml)
"""
import json
import re
import shlex
import sys

import yaml

SHELL_KEYS = ("run", "script", "before_script", "after_script")
OPERATORS = ("|", "||", "&&", ";", "&", ">", "<", "2>")


class Unrunnable(Exception):
    pass


def shell_commands(text, where):
    text = re.sub(r"\\\n", " ", text)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            argv = shlex.split(line, comments=True)
        except ValueError as e:
            raise Unrunnable(f"{where}: cannot split {line!r}: {e}")
        if "papyra" not in argv and "papyra" not in line.split():
            continue
        if not argv or argv[0] != "papyra" or any(a in OPERATORS for a in argv):
            raise Unrunnable(f"{where}: papyra not run as a plain command: {line!r}")
        yield argv, {}


def walk(node, where):
    if isinstance(node, dict):
        cmd = node.get("command")
        if isinstance(cmd, list) and cmd and cmd[0] == "papyra":
            env = {e["name"]: str(e.get("value", "")) for e in node.get("env", []) if "name" in e}
            yield [str(a) for a in cmd] + [str(a) for a in node.get("args", [])], env
        for key, value in node.items():
            if key in SHELL_KEYS:
                texts = value if isinstance(value, list) else [value]
                for t in texts:
                    if isinstance(t, str):
                        yield from shell_commands(t, f"{where}:{key}")
            elif key not in ("command", "args"):
                yield from walk(value, where)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item, where)


def from_markdown(text, where):
    for m in re.finditer(r"^ *```([a-z]*)\n(.*?)^ *```", text, re.S | re.M):
        lang, body = m.group(1), dedent(m.group(2))
        if lang in ("yaml", "yml"):
            for doc in yaml.safe_load_all(body):
                yield from walk(doc, where)
        elif lang in ("bash", "sh", "shell", "console", ""):
            yield from shell_commands(body, where)


def dedent(text):
    lines = [l for l in text.splitlines() if l.strip()]
    n = min((len(l) - len(l.lstrip(" ")) for l in lines), default=0)
    return "\n".join(l[n:] for l in text.splitlines())


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if path.endswith((".yml", ".yaml")):
            found = (c for doc in yaml.safe_load_all(text) for c in walk(doc, path))
        else:
            found = from_markdown(text, path)
        for argv, env in found:
            print(json.dumps({"file": path, "argv": argv, "env": env}))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (Unrunnable, yaml.YAMLError) as e:
        print(f"extract_commands: {e}", file=sys.stderr)
        sys.exit(1)
