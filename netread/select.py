"""The listing options, resolved the way netstat 2.10's main() resolves its flags."""

from __future__ import annotations

from typing import NamedTuple


class Options(NamedTuple):
    """What to list and how; field names follow netstat's long options.

    Build it with :meth:`resolve`, which applies netstat's defaulting rules
    (no protocol flag means every protocol and unix; ``-4``/``-6`` alone mean
    every inet protocol and no unix).
    """

    tcp: bool = False
    udp: bool = False
    udplite: bool = False
    raw: bool = False
    unix: bool = False
    inet: bool = False
    inet6: bool = False
    listening: bool = False
    all: bool = False
    numeric_hosts: bool = False
    numeric_ports: bool = False
    numeric_users: bool = False
    wide: bool = False
    extend: bool = False
    programs: bool = False
    timers: bool = False
    verbose: bool = False
    #: --explain: legend, state glossary and findings around the rows.
    explain: bool = False
    #: --strict: any malformed line makes the exit status 1.
    strict: bool = False
    #: True when any socket-kind flag was given (netstat's ``flag_arg``).
    explicit: bool = False

    @classmethod
    def resolve(cls, **flags: bool) -> Options:
        """Apply netstat's rules for which tables and families are read.

        >>> o = Options.resolve(inet=True)
        >>> (o.tcp, o.udp, o.raw, o.unix, o.inet6)
        (True, True, True, False, False)
        """
        opts = cls(**flags)
        protos = opts.tcp or opts.udp or opts.udplite or opts.raw
        changes: dict[str, bool] = {}
        if (opts.inet or opts.inet6) and not protos:
            changes.update(tcp=True, udp=True, udplite=True, raw=True)
            protos = True
        if protos and not (opts.inet or opts.inet6):
            changes.update(inet=True, inet6=True)
        changes["explicit"] = protos or opts.unix
        return opts._replace(**changes)

    def wants(self, proto: str) -> bool:
        """Whether the section for ``proto`` (tcp, udp, udplite, raw, unix) is listed."""
        return not self.explicit or bool(getattr(self, proto))

    @property
    def inet_section(self) -> bool:
        """Whether the Internet banner and header are printed."""
        return not self.explicit or self.tcp or self.udp or self.udplite or self.raw
