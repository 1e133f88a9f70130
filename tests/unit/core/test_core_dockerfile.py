"""The container files agree with pyproject.toml and run the service the way the README promises.

No Docker engine runs on the development and CI machines, so these tests read the files instead of building
them: a path the image forgets to copy, a console script renamed in pyproject, or a compose file pointing at
the wrong database would otherwise surface only on the first real deployment.
"""

import fnmatch
import json
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATABASE_URL = "postgresql+psycopg://groupledger:groupledger@db:5432/groupledger"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def _dockerfile() -> list[Instruction]:
    """The Dockerfile's instructions, with comments dropped and continuation lines joined."""
    instructions: list[Instruction] = []
    pending = ""
    for raw_line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def _pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def _shell_commands(instruction: Instruction) -> list[list[str]]:
    """A shell-form RUN split into its simple commands (at &&, ; and ||)."""
    commands: list[list[str]] = [[]]
    for token in shlex.split(instruction.arguments):
        if token in {"&&", ";", "||"}:
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def _run_commands(instructions: list[Instruction]) -> list[tuple[int, list[str]]]:
    return [
        (index, command)
        for index, instruction in enumerate(instructions)
        if instruction.keyword == "RUN"
        for command in _shell_commands(instruction)
    ]


def _copy_sources(instruction: Instruction) -> list[str]:
    tokens = [token for token in shlex.split(instruction.arguments) if not token.startswith("--")]
    return [token.rstrip("/") or "." for token in tokens[:-1]]


def _parse_yaml_block(lines: list[tuple[int, str]]) -> Any:
    """A block-style YAML subset (maps, lists of scalars, JSON flow lists): enough for our compose file.

    PyYAML is not a dependency; anything outside the subset raises, so the test cannot silently misread.
    """
    indent = lines[0][0]
    if lines[0][1].startswith("- "):
        items: list[Any] = []
        for line_indent, text in lines:
            if line_indent != indent or not text.startswith("- "):
                raise ValueError(f"unsupported YAML in a list: {text!r}")
            items.append(_yaml_scalar(text[2:]))
        return items
    mapping: dict[str, Any] = {}
    position = 0
    while position < len(lines):
        line_indent, text = lines[position]
        if line_indent != indent:
            raise ValueError(f"unexpected indentation: {text!r}")
        key, separator, value = text.partition(":")
        if not separator:
            raise ValueError(f"not a mapping entry: {text!r}")
        position += 1
        if value.strip():
            mapping[key.strip()] = _yaml_scalar(value.strip())
            continue
        end = position
        while end < len(lines) and lines[end][0] > indent:
            end += 1
        mapping[key.strip()] = _parse_yaml_block(lines[position:end]) if end > position else None
        position = end
    return mapping


def _yaml_scalar(text: str) -> Any:
    if text.startswith("["):
        return json.loads(text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _compose() -> dict[str, Any]:
    lines = [
        (len(raw) - len(raw.lstrip(" ")), raw.strip())
        for raw in (ROOT / "docker-compose.yml").read_text(encoding="utf-8").splitlines()
        if raw.strip() and not raw.strip().startswith("#")
    ]
    parsed: dict[str, Any] = _parse_yaml_block(lines)
    return parsed


class TestDockerfile:
    def test_builds_on_a_slim_python_that_pyproject_allows(self) -> None:
        instructions = _dockerfile()

        image, _, tag = instructions[0].arguments.partition(":")

        assert instructions[0].keyword == "FROM"
        assert image == "python"
        assert tag.endswith("-slim")
        minimum = _pyproject()["project"]["requires-python"].removeprefix(">=")
        version = tag.removesuffix("-slim")
        assert tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split(".")))

    def test_installs_graphviz_and_a_cjk_font_without_recommends(self) -> None:
        instructions = _dockerfile()

        installs = [
            command for _, command in _run_commands(instructions) if command[:2] == ["apt-get", "install"]
        ]

        assert len(installs) == 1
        assert {"graphviz", "fonts-noto-cjk", "--no-install-recommends"} <= set(installs[0])

    def test_copies_every_path_the_setuptools_build_needs_before_installing(self) -> None:
        instructions = _dockerfile()
        pyproject = _pyproject()
        package_patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
        needed = {pattern.rstrip("*").rstrip(".") for pattern in package_patterns}
        needed |= {"pyproject.toml", pyproject["project"]["readme"], "alembic.ini"}

        pip_install_at = next(
            index
            for index, command in _run_commands(instructions)
            if command[:3] == ["pip", "install", "--no-cache-dir"]
        )
        copied = {
            source
            for index, instruction in enumerate(instructions)
            if instruction.keyword == "COPY" and index < pip_install_at
            for source in _copy_sources(instruction)
        }

        assert needed == {"app", "migrations", "pyproject.toml", "README.md", "alembic.ini"}
        assert needed <= copied

    def test_every_copied_path_exists_and_is_not_docker_ignored(self) -> None:
        instructions = _dockerfile()
        ignored = [
            line.strip()
            for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]

        sources = [source for i in instructions if i.keyword == "COPY" for source in _copy_sources(i)]

        assert sources
        for source in sources:
            assert (ROOT / source).exists(), source
            assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source

    def test_installs_the_copied_project_with_pip(self) -> None:
        instructions = _dockerfile()

        pip_installs = [
            command for _, command in _run_commands(instructions) if command[:2] == ["pip", "install"]
        ]

        assert pip_installs == [["pip", "install", "--no-cache-dir", "."]]

    def test_runs_as_a_non_root_user_it_creates(self) -> None:
        instructions = _dockerfile()

        created = [
            command[-1] for _, command in _run_commands(instructions) if command[0] in {"useradd", "adduser"}
        ]
        users = [(index, i.arguments) for index, i in enumerate(instructions) if i.keyword == "USER"]
        last_run = max(index for index, _ in _run_commands(instructions))

        assert len(created) == 1
        assert users, "the image never switches away from root"
        user_index, user = users[-1]
        assert user == created[0]
        assert user not in {"root", "0"}
        assert user_index > last_run

    def test_serves_on_all_interfaces_port_8000_with_the_declared_console_script(self) -> None:
        instructions = _dockerfile()
        scripts = _pyproject()["project"]["scripts"]

        cmd = json.loads(next(i.arguments for i in reversed(instructions) if i.keyword == "CMD"))
        exposed = [i.arguments for i in instructions if i.keyword == "EXPOSE"]

        assert cmd == ["groupledger", "serve", "--host", "0.0.0.0", "--port", "8000"]  # noqa: S104 - in a container
        assert cmd[0] in scripts
        assert exposed == ["8000"]

    def test_runs_in_production_mode(self) -> None:
        instructions = _dockerfile()

        env = " ".join(i.arguments for i in instructions if i.keyword == "ENV")

        assert "GROUPLEDGER_ENV=production" in env.split()


class TestCompose:
    def test_database_is_postgres_15_with_a_healthcheck_and_a_volume(self) -> None:
        compose = _compose()

        db = compose["services"]["db"]

        assert db["image"] == "postgres:15"
        assert db["healthcheck"]["test"][0] == "CMD-SHELL"
        assert "pg_isready" in db["healthcheck"]["test"][1]
        volume_name, _, mount_point = db["volumes"][0].partition(":")
        assert mount_point == "/var/lib/postgresql/data"
        assert volume_name in compose["volumes"]

    @pytest.mark.parametrize("service", ["app", "migrate"])
    def test_service_reaches_the_database_service_through_psycopg(self, service: str) -> None:
        compose = _compose()

        environment = compose["services"][service]["environment"]
        db_environment = compose["services"]["db"]["environment"]

        assert environment["GROUPLEDGER_DATABASE_URL"] == DATABASE_URL
        user, password, database = (db_environment[f"POSTGRES_{key}"] for key in ("USER", "PASSWORD", "DB"))
        assert f"postgresql+psycopg://{user}:{password}@db:5432/{database}" == DATABASE_URL
        assert environment["GROUPLEDGER_SECRET_KEY"].startswith("${GROUPLEDGER_SECRET_KEY:?")

    def test_app_is_built_here_and_starts_after_a_healthy_database_and_migrations(self) -> None:
        compose = _compose()

        app = compose["services"]["app"]
        migrate = compose["services"]["migrate"]

        assert app["build"] == "."
        assert app["ports"] == ["8000:8000"]
        assert app["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        assert migrate["command"] == ["groupledger", "migrate"]
        assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
