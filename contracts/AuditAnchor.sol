// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WriterAccess} from "./WriterAccess.sol";

/// @title AuditAnchor
/// @notice The newest checkpoint of an off-chain, hash-chained audit log: its sequence number and the
///         (keyed) hash of the entry at that sequence. Sequence numbers only move forward, so a log cut
///         after a checkpoint cannot be made to verify by anchoring an older head again.
contract AuditAnchor is WriterAccess {
    struct Checkpoint {
        uint64 seq;
        uint64 timestamp;
        bytes32 head;
    }

    Checkpoint private _latest;

    event CheckpointAnchored(uint64 indexed seq, bytes32 head, uint64 timestamp);

    error InvalidHead();
    error NotNewer(uint64 seq, uint64 latestSeq);

    function anchor(uint64 seq, bytes32 head) external onlyWriter {
        if (head == bytes32(0)) revert InvalidHead();
        if (seq <= _latest.seq) revert NotNewer(seq, _latest.seq);
        uint64 timestamp = uint64(block.timestamp);
        _latest = Checkpoint(seq, timestamp, head);
        emit CheckpointAnchored(seq, head, timestamp);
    }

    /// @notice The newest checkpoint; all fields are zero before the first.
    function latest() external view returns (Checkpoint memory) {
        return _latest;
    }
}
