"""Shell completion: ``netread completion bash|zsh|fish`` prints a static script for that shell.

The script is made from the typer application's command tree (cli/app.py) when it is printed:
every subcommand, every option (hidden ones too: ``-S``), which options take a value and what
that value is (:data:`OPTION_VALUES`: formats, states, families, files, directories, users,
namespaces), and each subcommand's arguments.  Completing a word never runs netread, so the
script works whatever entry point the command is (the quick parser of cli/quick.py never sees
it) and costs no Python start-up per Tab.

A value is one of :data:`KINDS`: ``words`` (the listed words), ``file``, ``dir``, ``user``,
``netns`` (``all``, the names under /run/netns, or a path), ``snapshot`` (``-`` for the live
system, or a snapshot's path) or ``none`` (a value that nothing completes: a port, a pid).
"""

from __future__ import annotations

import re
from typing import Any
from typing import NamedTuple

#: The shells there is a script for.
SHELLS = ("bash", "zsh", "fish")
#: What a value can be (the module's docstring).
KINDS = ("words", "file", "dir", "user", "netns", "snapshot", "none")


class Value(NamedTuple):
    """What an option's value or an argument is: a kind of :data:`KINDS`, its words for ``words``,
    and the separator of a list of them (``--state LISTEN,CLOSE_WAIT``), if it is one."""

    kind: str
    words: tuple[str, ...] = ()
    separator: str = ""


class Option(NamedTuple):
    """One option: its names (``-t``, ``--tcp``), its value (None: a flag) and its help."""

    names: tuple[str, ...]
    value: Value | None
    help: str


class Command(NamedTuple):
    """The main command (``name`` empty) or a subcommand: its options and positional arguments
    (``repeats``: the last one takes any number of words)."""

    name: str
    help: str
    options: tuple[Option, ...]
    arguments: tuple[Value, ...]
    repeats: bool = False


def _option_values() -> dict[str, Value]:
    from netread.explain.line import TABLES
    from netread.render.formats import FORMATS
    from netread.select import STATES

    return {
        "--format": Value("words", tuple(FORMATS)),
        "--proc": Value("file"),
        "--netns": Value("netns"),
        "--protocol": Value("words", ("inet", "inet6", "unix"), ","),
        "--state": Value("words", tuple(sorted(STATES)), ","),
        "--table": Value("words", tuple(TABLES)),
        "--byte-order": Value("words", ("little", "big")),
        "--user": Value("user"),
        "--tar": Value("file"),
        "--tar-dir": Value("dir"),
        "--record": Value("dir"),
    }


#: The main command's options a subcommand that takes the listing's flags (diff, watch) does not
#: take: the other modes, -c, the one-line decoder, the version and help (its own -h), and for diff --proc.
NOT_LISTING = frozenset({"-c", "-s", "-r", "-i", "-g", "-M", "-F", "-C", "-N", "-d", "-V", "-h", "--explain-line", "--table", "--byte-order"})
LISTING_FLAGS_EXCEPT = {"diff": NOT_LISTING | {"--proc"}, "watch": NOT_LISTING | {"--explain", "--strict", "-S"}}

#: (subcommand, argument name) -> its value; other arguments are files.
ARGUMENT_VALUES = {
    ("capture", "directory"): Value("dir"),
    ("completion", "shell"): Value("words", SHELLS),
}


def command_tree(group: Any) -> tuple[Command, ...]:
    """The click group of the typer application (``typer.main.get_command(app)``) as Commands:
    the main command first, then the subcommands in their order.  Parameters are told apart by
    click's ``param_type_name``, not by class: typer vendors its own click."""
    values = _option_values()

    def described(command: Any, name: str, ctx: Any) -> Command:
        options: list[Option] = []
        arguments: list[Value] = []
        repeats = False
        for param in command.get_params(ctx):
            if param.param_type_name == "argument":
                arguments.append(_argument_value(name, param))
                repeats = repeats or param.nargs == -1
                continue
            if param.param_type_name != "option":
                continue
            value = None
            if not (param.is_flag or param.count):
                long_names = [n for n in param.opts if n.startswith("--")]
                value = values.get(long_names[0]) if long_names else None
                if value is None:
                    value = _typed_value(param)
            names = sorted([*param.opts, *param.secondary_opts], key=lambda n: (n.startswith("--"), n))  # click's help names are a set
            options.append(Option(tuple(names), value, _one_line(param.help or "")))
        return Command(name, _one_line((command.help or "").split("\n\n")[0]), tuple(options), tuple(arguments), repeats)

    top = group.context_class(group, info_name="netread", **group.context_settings)
    commands = [described(group, "", top)]
    for name, sub in getattr(group, "commands", {}).items():
        command = described(sub, name, sub.context_class(sub, parent=top, info_name=name, **sub.context_settings))
        if sub.context_settings.get("allow_extra_args"):  # it passes the listing's flags on (cli/diff.listing_request): offer them
            mine = {n for option in command.options for n in option.names}
            left_out = LISTING_FLAGS_EXCEPT.get(name, NOT_LISTING) | mine
            extra = [o for o in commands[0].options if not (set(o.names) & left_out)]
            command = command._replace(options=command.options + tuple(extra))
        commands.append(command)
    return tuple(commands)


def _argument_value(command: str, param: Any) -> Value:
    if (command, param.name) in ARGUMENT_VALUES:
        return ARGUMENT_VALUES[command, param.name]
    if command == "diff":
        return Value("snapshot")  # A and B: a snapshot or - (the live system)
    typed = _typed_value(param)
    return Value("file") if typed.kind == "none" else typed


def _typed_value(param: Any) -> Value:
    """A parameter's values from its type: a choice's words, a path's files or directories, else
    none.  click keeps the type in ``type``; typer 0.29 only the annotation, in ``type_descriptor``."""
    import enum
    import pathlib
    import typing

    kind = getattr(param, "type", None)
    if kind is not None:
        choices = getattr(kind, "choices", None)
        if choices is not None:
            return Value("words", tuple(str(choice) for choice in choices))
        if getattr(kind, "name", None) == "path":
            return Value("file" if getattr(kind, "file_okay", True) else "dir")
        return Value("none")
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    info = getattr(descriptor, "parameter_info", None)
    if typing.get_origin(annotation) is typing.Literal:
        return Value("words", tuple(str(word) for word in typing.get_args(annotation)))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return Value("words", tuple(str(member.value) for member in annotation))
    if isinstance(annotation, type) and issubclass(annotation, pathlib.PurePath):
        return Value("dir" if getattr(info, "file_okay", True) is False else "file")
    return Value("none")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def script(shell: str, commands: tuple[Command, ...]) -> str:
    """The completion script for ``shell`` (one of :data:`SHELLS`)."""
    for command in commands:
        values = [o.value for o in command.options if o.value is not None] + list(command.arguments)
        for word in [command.name or "-", *_names(command), *(w for value in values for w in value.words)]:
            if not _SAFE.fullmatch(word):
                raise ValueError(f"{word!r} cannot be a completion word")
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](commands)


#: The case pattern of the main command (no subcommand).
_EMPTY = '""'
#: What a command name, an option name and a completed word are made of (nothing a shell quotes).
_SAFE = re.compile(r"[A-Za-z0-9_.,+-]+")


def _shell_kind(value: Value) -> str:
    """The kind the scripts' _netread_complete_value takes: ``list`` for a list of words."""
    return "list" if value.kind == "words" and value.separator == "," else value.kind


def _valued(command: Command) -> list[tuple[str, Value]]:
    return [(name, option.value) for option in command.options if option.value is not None for name in option.names]


def _names(command: Command) -> list[str]:
    return [name for option in command.options for name in option.names]


def _subcommands(commands: tuple[Command, ...]) -> list[str]:
    return [command.name for command in commands if command.name]


_BASH_HEAD = r"""# bash completion for netread: made by `netread completion bash`.
# Load it with:  source <(netread completion bash)
# or save it as ~/.local/share/bash-completion/completions/netread

_netread_complete_value() {  # $1: a kind, $2: the word so far, then a kind's words
    local kind=$1 cur=$2 IFS=$'\n'
    shift 2
    case $kind in
        words) COMPREPLY+=($(compgen -W "$*" -- "$cur")) ;;
        list)  # words separated by commas: the one after the last comma
            local head=
            [[ $cur == *,* ]] && head=${cur%,*},
            COMPREPLY+=($(compgen -P "$head" -W "$*" -- "${cur##*,}")) ;;
        file) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- "$cur")) ;;
        dir) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- "$cur")) ;;
        user) COMPREPLY+=($(compgen -u -- "$cur")) ;;
        netns)
            compopt -o filenames 2>/dev/null
            COMPREPLY+=($(compgen -W "all"$'\n'"$(command ls /run/netns 2>/dev/null)" -- "$cur") $(compgen -f -- "$cur")) ;;
        snapshot) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -W "-" -- "$cur") $(compgen -f -- "$cur")) ;;
    esac
    return 0
}

"""

_BASH_MAIN = r"""_netread() {
    local IFS=$'\n' cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]} opt= prefix= command= first=1 i word n=0
    COMPREPLY=()
    if [[ ${COMP_WORDS[1]} && $cword -gt 1 ]] && _netread_is_command "${COMP_WORDS[1]}"; then
        command=${COMP_WORDS[1]}
        first=2
    fi
    # --name=value: bash splits the word at "=" (COMP_WORDBREAKS), or keeps it whole
    if [[ $cur == = && $cword -gt $first ]]; then
        opt=${COMP_WORDS[cword-1]} cur=
    elif [[ ${COMP_WORDS[cword-1]} == = && $cword -gt $((first + 1)) ]]; then
        opt=${COMP_WORDS[cword-2]}
    elif [[ $cur == --*=* ]]; then
        opt=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
    elif [[ $cword -gt $first ]] && _netread_takes_value "$command" "${COMP_WORDS[cword-1]}"; then
        opt=${COMP_WORDS[cword-1]}
    fi
    if [[ $opt ]]; then
        _netread_value "$command" "$opt" "$cur"
        if [[ $prefix ]]; then
            for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=$prefix${COMPREPLY[i]}; done
        fi
        return 0
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_netread_options "$command")" -- "$cur"))
        return 0
    fi
    if [[ -z $command && $cword -gt 1 ]]; then
        return 0  # a subcommand is the first word; a listing takes no argument
    fi
    for ((i = first; i < cword; i++)); do  # the arguments before this one
        word=${COMP_WORDS[i]}
        if [[ $word == = ]]; then
            ((i++))
        elif [[ $word == -* ]]; then
            if [[ ${COMP_WORDS[i+1]} != = ]] && _netread_takes_value "$command" "$word"; then ((i++)); fi
        else
            ((n++))
        fi
    done
    _netread_argument "$command" "$n" "$cur"
    return 0
}
complete -F _netread netread
"""


def _bash(commands: tuple[Command, ...]) -> str:
    return _BASH_HEAD + _case_functions(commands, zsh=False) + _BASH_MAIN


def _case_functions(commands: tuple[Command, ...], zsh: bool) -> str:
    """The five functions of the bash and zsh scripts that hold the command tree, each a ``case``:
    whether a word is a subcommand, a command's options, whether an option takes a value, an
    option's value, an argument.  They differ between the shells in the patterns' parentheses, the
    word so far (bash passes it as ``$3``) and how the options and subcommands are offered (zsh
    describes them)."""
    subcommands = _subcommands(commands)
    so_far = "" if zsh else ' "$3"'
    word = "" if zsh else ", $3: the word so far"
    valued = [(command.name, name, value) for command in commands for name, value in _valued(command)]

    def complete(kind: str, words: tuple[str, ...] | list[str]) -> str:
        return f"_netread_complete_value {kind}{so_far}{''.join(' ' + w for w in words)}"

    if zsh:
        options = [(c.name or _EMPTY, "described=(" + " ".join(_zsh_quote(f"{name}:{o.help}") for o in c.options for name in o.names) + ")") for c in commands]
        first = "local -a described; described=(" + " ".join(_zsh_quote(f"{c.name}:{c.help}") for c in commands if c.name) + "); _describe -t commands command described"
    else:
        options = [(c.name or _EMPTY, "printf '%s\\n' " + " ".join(_names(c))) for c in commands]
        first = complete("words", subcommands)
    arguments = [
        (f"{c.name}/{index}" + (f"|{c.name}/*" if c.repeats and index == len(c.arguments) - 1 else ""), complete(value.kind, value.words))
        for c in commands
        for index, value in enumerate(c.arguments)
    ]
    return "".join((
        _case("_netread_is_command", "", "$1", [("|".join(subcommands), "return 0")] if subcommands else [], zsh, fails=True),
        _case("_netread_options", "$1: the subcommand (empty: none)" + ("; sets described" if zsh else ""), "$1", options, zsh),
        _case("_netread_takes_value", "$1: the subcommand, $2: an option", "$1/$2", [("|".join(f"{c}/{n}" for c, n, _ in valued), "return 0")] if valued else [], zsh, fails=True),
        _case("_netread_value", "$1: the subcommand, $2: an option" + word, "$1/$2", [(f"{c}/{n}", complete(_shell_kind(v), v.words)) for c, n, v in valued], zsh),
        _case("_netread_argument", "$1: the subcommand, $2: how many arguments come before" + word, "$1/$2", ([("/0", first)] if subcommands else []) + arguments, zsh),
    ))  # fmt: skip


def _case(name: str, comment: str, subject: str, arms: list[tuple[str, str]], zsh: bool, fails: bool = False) -> str:
    """A shell function of one ``case subject in`` with ``arms`` (pattern, command); ``fails``: it
    returns 1 where no arm matched."""
    head = f"{name}() {{" + (f"  # {comment}" if comment else "") + f"\n    case {subject} in\n"
    body = "".join(f"        {'(' if zsh else ''}{pattern}) {command} ;;\n" for pattern, command in arms)
    return head + body + "    esac\n" + ("    return 1\n" if fails else "") + "}\n\n"


_ZSH_HEAD = r"""#compdef netread
# zsh completion for netread: made by `netread completion zsh`.
# Load it with:  source <(netread completion zsh)   (after compinit)
# or save it as _netread in a directory of $fpath.

_netread_complete_value() {  # $1: a kind, then a kind's words
    local kind=$1
    shift
    case $kind in
        words) compadd -- "$@" ;;
        list) compset -P '*,'; compadd -- "$@" ;;  # words separated by commas
        file) _files ;;
        dir) _files -/ ;;
        user) _users ;;
        netns) compadd -- all ${(f)"$(command ls /run/netns 2>/dev/null)"}; _files ;;
        snapshot) compadd -- -; _files ;;
    esac
    return 0
}

"""

_ZSH_MAIN = r"""_netread() {
    local command= first=2 opt= i word n=0 cur=${words[CURRENT]}
    if (( CURRENT > 2 )) && _netread_is_command "${words[2]}"; then
        command=${words[2]}
        first=3
    fi
    if [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        compset -P '*='
    elif (( CURRENT > first )) && _netread_takes_value "$command" "${words[CURRENT-1]}"; then
        opt=${words[CURRENT-1]}
    fi
    if [[ -n $opt ]]; then
        _netread_value "$command" "$opt"
        return 0
    fi
    if [[ $cur == -* ]]; then
        local -a described
        _netread_options "$command"
        _describe -o option described
        return 0
    fi
    if [[ -z $command ]] && (( CURRENT > 2 )); then
        return 0  # a subcommand is the first word; a listing takes no argument
    fi
    for (( i = first; i < CURRENT; i++ )); do  # the arguments before this one
        word=${words[i]}
        if [[ $word == -* ]]; then
            if [[ $word != *=* ]] && _netread_takes_value "$command" "$word"; then (( i++ )); fi
        else
            (( n++ ))
        fi
    done
    _netread_argument "$command" "$n"
    return 0
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _netread "$@"
else
    compdef _netread netread
fi
"""


def _zsh(commands: tuple[Command, ...]) -> str:
    return _ZSH_HEAD + _case_functions(commands, zsh=True) + _ZSH_MAIN


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


_FISH_VALUES = {
    "file": "-r -F",
    "dir": "-x -a '(__fish_complete_directories (commandline -ct))'",
    "user": "-x -a '(__fish_complete_users)'",
    "netns": "-r -F -a 'all (command ls /run/netns 2>/dev/null)'",
    "snapshot": "-r -F -a -",
    "none": "-x",
}


def _fish_value(value: Value) -> str:
    if value.kind == "words" and value.separator == ",":
        return "-x -a " + _fish_quote("(__fish_complete_list , " + _fish_quote("printf '%s\\n' " + " ".join(value.words)) + ")")
    if value.kind == "words":
        return "-x -a " + _fish_quote(" ".join(value.words))
    return _FISH_VALUES[value.kind]


def _fish(commands: tuple[Command, ...]) -> str:
    subcommands = _subcommands(commands)
    out = [
        "# fish completion for netread: made by `netread completion fish`.\n",
        "# Load it with:  netread completion fish | source\n",
        "# or save it as ~/.config/fish/completions/netread.fish\n\n",
        "complete -c netread -e\n",
        "complete -c netread -f\n",
    ]
    if subcommands:
        out.append(
            "function __netread_command\n"
            "    set -l words (commandline -opc)\n"
            "    if test (count $words) -ge 2; and contains -- $words[2] " + " ".join(subcommands) + "\n"
            "        echo $words[2]\n"
            "        return 0\n"
            "    end\n"
            "    return 1\n"
            "end\n"
            "function __netread_in\n"
            "    set -l command (__netread_command)\n"
            "    test \"$command\" = \"$argv[1]\"\n"
            "end\n"
            "function __netread_at_start\n"
            "    test (count (commandline -opc)) -eq 1\n"
            "end\n"
        )
    for command in commands:
        when = [f"-n '__netread_in {command.name}'"] if command.name else (["-n 'not __netread_command'"] if subcommands else [])
        if not command.name:
            for sub in commands:
                if sub.name:
                    out.append(f"complete -c netread -n __netread_at_start -a {sub.name} -d {_fish_quote(sub.help)}\n")
        for option in command.options:
            words = ["complete -c netread", *when]
            for name in option.names:
                if name.startswith("--"):
                    words.append("-l " + name[2:])
                elif len(name) == 2:
                    words.append("-s " + name[1:])
                else:
                    words.append("-o " + name[1:])
            if option.value is not None:
                words.append(_fish_value(option.value))
            words.append("-d " + _fish_quote(option.help))
            out.append(" ".join(words) + "\n")
        for argument in command.arguments[:1]:  # fish does not count arguments: every one is completed as the first
            out.append(" ".join(["complete -c netread", *when, _fish_value(argument)]) + "\n")
    return "".join(out)
