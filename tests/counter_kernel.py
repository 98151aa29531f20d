"""The counter names a Linux 6.18 kernel writes in net/snmp, net/netstat, net/snmp6 and net/sctp/snmp, in its order.

Taken from this project's test machine (Debian 12, kernel 6.18.44) and, for
sctp, from net/sctp/proc.c's sctp_snmp_list; the encoders below write them as
the kernel does (net/ipv4/proc.c, net/ipv6/proc.c, net/sctp/proc.c).  No hypothesis here.
"""

from __future__ import annotations

from collections.abc import Sequence

#: net/snmp: (title, names), in the kernel's order (IcmpMsg lists the nonzero types only: here InType3).
SNMP: tuple[tuple[str, list[str]], ...] = (
    ("Ip", (
        "Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers "
        "OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates "
        "OutTransmits"
    ).split()),
    ("Icmp", (
        "InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos "
        "InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal "
        "OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps "
        "OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps"
    ).split()),
    ("IcmpMsg", (
        "InType3"
    ).split()),
    ("Tcp", (
        "RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs "
        "RetransSegs InErrs OutRsts InCsumErrors"
    ).split()),
    ("Udp", (
        "InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors"
    ).split()),
    ("UdpLite", (
        "InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors"
    ).split()),
)
#: net/netstat: (title, names).
NETSTAT: tuple[tuple[str, list[str]], ...] = (
    ("TcpExt", (
        "SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps "
        "LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck "
        "PAWSTimewait DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks "
        "TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder TCPTSReorder "
        "TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit TCPRenoFailures TCPSackFailures "
        "TCPLossFailures TCPFastRetrans TCPSlowStartRetrans TCPTimeouts TCPLossProbes TCPLossProbeRecovery "
        "TCPRenoRecoveryFail TCPSackRecoveryFail TCPRcvCollapsed TCPBacklogCoalesce TCPDSACKOldSent TCPDSACKOfoSent "
        "TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout "
        "TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono TCPSACKDiscard TCPDSACKIgnoredOld "
        "TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TCPSackShifted "
        "TCPSackMerged TCPSackShiftFallback TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop TCPDeferAcceptDrop "
        "IPReversePathFilter TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce "
        "TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail "
        "TCPFastOpenPassive TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPFastOpenBlackhole "
        "TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv "
        "TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect TCPHystartTrainCwnd "
        "TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv TCPACKSkippedPAWS TCPACKSkippedSeq "
        "TCPACKSkippedFinWait2 TCPACKSkippedTimeWait TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail "
        "TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig "
        "TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash TCPDSACKRecvSegs TCPDSACKIgnoredDubious "
        "TCPMigrateReqSuccess TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad TCPAOKeyNotFound TCPAOGood "
        "TCPAODroppedIcmps"
    ).split()),
    ("IpExt", (
        "InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets InMcastOctets "
        "OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts "
        "ReasmOverlaps"
    ).split()),
    ("MPTcpExt", (
        "MPCapableSYNRX MPCapableSYNTX MPCapableSYNACKRX MPCapableACKRX MPCapableFallbackACK MPCapableFallbackSYNACK "
        "MPCapableSYNTXDrop MPCapableSYNTXDisabled MPCapableEndpAttempt MPFallbackTokenInit MPTCPRetrans "
        "MPJoinNoTokenFound MPJoinSynRx MPJoinSynBackupRx MPJoinSynAckRx MPJoinSynAckBackupRx MPJoinSynAckHMacFailure "
        "MPJoinAckRx MPJoinAckHMacFailure MPJoinRejected MPJoinSynTx MPJoinSynTxCreatSkErr MPJoinSynTxBindErr "
        "MPJoinSynTxConnectErr DSSNotMatching DSSCorruptionFallback DSSCorruptionReset InfiniteMapTx InfiniteMapRx "
        "DSSNoMatchTCP DataCsumErr OFOQueueTail OFOQueue OFOMerge NoDSSInWindow DuplicateData AddAddr AddAddrTx "
        "AddAddrTxDrop EchoAdd EchoAddTx EchoAddTxDrop PortAdd AddAddrDrop MPJoinPortSynRx MPJoinPortSynAckRx "
        "MPJoinPortAckRx MismatchPortSynRx MismatchPortAckRx RmAddr RmAddrDrop RmAddrTx RmAddrTxDrop RmSubflow MPPrioTx "
        "MPPrioRx MPFailTx MPFailRx MPFastcloseTx MPFastcloseRx MPRstTx MPRstRx SubflowStale SubflowRecover "
        "SndWndShared RcvWndShared RcvWndConflictUpdate RcvWndConflict MPCurrEstab Blackhole MPCapableDataFallback "
        "MD5SigFallback DssFallback SimultConnectFallback FallbackFailed WinProbe"
    ).split()),
)
#: net/snmp6: a name a line.
SNMP6 = tuple(
    "Ip6InReceives Ip6InHdrErrors Ip6InTooBigErrors Ip6InNoRoutes Ip6InAddrErrors Ip6InUnknownProtos "
    "Ip6InTruncatedPkts Ip6InDiscards Ip6InDelivers Ip6OutForwDatagrams Ip6OutRequests Ip6OutDiscards "
    "Ip6OutNoRoutes Ip6ReasmTimeout Ip6ReasmReqds Ip6ReasmOKs Ip6ReasmFails Ip6FragOKs Ip6FragFails Ip6FragCreates "
    "Ip6InMcastPkts Ip6OutMcastPkts Ip6InOctets Ip6OutOctets Ip6InMcastOctets Ip6OutMcastOctets Ip6InBcastOctets "
    "Ip6OutBcastOctets Ip6InNoECTPkts Ip6InECT1Pkts Ip6InECT0Pkts Ip6InCEPkts Ip6OutTransmits Icmp6InMsgs "
    "Icmp6InErrors Icmp6OutMsgs Icmp6OutErrors Icmp6InCsumErrors Icmp6OutRateLimitHost Icmp6InDestUnreachs "
    "Icmp6InPktTooBigs Icmp6InTimeExcds Icmp6InParmProblems Icmp6InEchos Icmp6InEchoReplies Icmp6InGroupMembQueries "
    "Icmp6InGroupMembResponses Icmp6InGroupMembReductions Icmp6InRouterSolicits Icmp6InRouterAdvertisements "
    "Icmp6InNeighborSolicits Icmp6InNeighborAdvertisements Icmp6InRedirects Icmp6InMLDv2Reports "
    "Icmp6OutDestUnreachs Icmp6OutPktTooBigs Icmp6OutTimeExcds Icmp6OutParmProblems Icmp6OutEchos "
    "Icmp6OutEchoReplies Icmp6OutGroupMembQueries Icmp6OutGroupMembResponses Icmp6OutGroupMembReductions "
    "Icmp6OutRouterSolicits Icmp6OutRouterAdvertisements Icmp6OutNeighborSolicits Icmp6OutNeighborAdvertisements "
    "Icmp6OutRedirects Icmp6OutMLDv2Reports Icmp6InType1 Icmp6OutType1 Icmp6OutType135 Icmp6OutType143 "
    "Udp6InDatagrams Udp6NoPorts Udp6InErrors Udp6OutDatagrams Udp6RcvbufErrors Udp6SndbufErrors Udp6InCsumErrors "
    "Udp6IgnoredMulti Udp6MemErrors UdpLite6InDatagrams UdpLite6NoPorts UdpLite6InErrors UdpLite6OutDatagrams "
    "UdpLite6RcvbufErrors UdpLite6SndbufErrors UdpLite6InCsumErrors UdpLite6MemErrors"
    .split()
)
#: net/sctp/snmp: a name a line.
SCTP = tuple(
    "SctpCurrEstab SctpActiveEstabs SctpPassiveEstabs SctpAborteds SctpShutdowns SctpOutOfBlues SctpChecksumErrors "
    "SctpOutCtrlChunks SctpOutOrderChunks SctpOutUnorderChunks SctpInCtrlChunks SctpInOrderChunks "
    "SctpInUnorderChunks SctpFragUsrMsgs SctpReasmUsrMsgs SctpOutSCTPPacks SctpInSCTPPacks SctpT1InitExpireds "
    "SctpT1CookieExpireds SctpT2ShutdownExpireds SctpT3RtxExpireds SctpT4RtoExpireds SctpT5ShutdownGuardExpireds "
    "SctpDelaySackExpireds SctpAutocloseExpireds SctpT3Retransmits SctpPmtudRetransmits SctpFastRetransmits "
    "SctpInPktSoftirq SctpInPktBacklog SctpInPktDiscards SctpInDataChunkDiscards"
    .split()
)

Pairs = Sequence[tuple[str, Sequence[tuple[str, str]]]]


def pairs_text(sections: Pairs) -> str:
    """net/snmp or net/netstat: ``Title: names`` / ``Title: values`` per section ((title, [(name, value)]))."""
    lines = []
    for title, counters in sections:
        lines.append(f"{title}: " + " ".join(name for name, _ in counters))
        lines.append(f"{title}: " + " ".join(value for _, value in counters))
    return "".join(line + "\n" for line in lines)


def lines_text(counters: Sequence[tuple[str, str]], sctp: bool = False) -> str:
    """net/snmp6 (``%-32s\\t%lu``) or net/sctp/snmp (``%-32s\\t%ld``): a counter a line."""
    return "".join(f"{name:<32}\t{value}\n" for name, value in counters)
