// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WriterAccess} from "./WriterAccess.sol";

/// @title ScoreRegistry
/// @notice The latest credit score per subject, with a salted hash committing to the full off-chain
///         record. No personal data: a subject is a linked wallet (left-padded to 32 bytes) or a
///         salted hash of the user id. A record hash is accepted once only, so a retried publication
///         reverts instead of writing twice. Each record carries the time its score was calculated, and
///         a record calculated no later than the subject's latest is refused: a delayed or redriven
///         publication can never put an older score back as the latest.
contract ScoreRegistry is WriterAccess {
    uint16 public constant MIN_SCORE = 300;
    uint16 public constant MAX_SCORE = 850;

    struct ScoreRecord {
        uint16 score;
        /// @dev Block time of the anchoring.
        uint64 timestamp;
        /// @dev When the score was calculated, in Unix milliseconds (off-chain time).
        uint64 calculatedAt;
        bytes32 recordHash;
        bytes32 modelVersion;
    }

    mapping(bytes32 => ScoreRecord) private _latest;
    mapping(bytes32 => bool) private _anchored;

    event ScoreAnchored(
        bytes32 indexed subject,
        bytes32 indexed recordHash,
        uint16 score,
        bytes32 modelVersion,
        uint64 timestamp,
        uint64 calculatedAt
    );

    error AlreadyAnchored(bytes32 recordHash);
    error StaleScore(uint64 calculatedAt, uint64 latestCalculatedAt);
    error InvalidCalculatedAt();
    error InvalidScore(uint16 score);
    error InvalidSubject();
    error InvalidRecordHash();

    function anchorScore(
        bytes32 subject,
        uint16 score,
        bytes32 recordHash,
        bytes32 modelVersion,
        uint64 calculatedAt
    ) external onlyWriter {
        if (subject == bytes32(0)) revert InvalidSubject();
        if (recordHash == bytes32(0)) revert InvalidRecordHash();
        if (score < MIN_SCORE || score > MAX_SCORE) revert InvalidScore(score);
        if (calculatedAt == 0) revert InvalidCalculatedAt();
        if (_anchored[recordHash]) revert AlreadyAnchored(recordHash);
        uint64 latestCalculatedAt = _latest[subject].calculatedAt;
        if (calculatedAt <= latestCalculatedAt) revert StaleScore(calculatedAt, latestCalculatedAt);

        _anchored[recordHash] = true;
        uint64 timestamp = uint64(block.timestamp);
        _latest[subject] = ScoreRecord(score, timestamp, calculatedAt, recordHash, modelVersion);
        emit ScoreAnchored(subject, recordHash, score, modelVersion, timestamp, calculatedAt);
    }

    /// @notice The subject's latest record; all fields are zero when nothing was anchored.
    function latestScore(bytes32 subject) external view returns (ScoreRecord memory) {
        return _latest[subject];
    }

    function isAnchored(bytes32 recordHash) external view returns (bool) {
        return _anchored[recordHash];
    }
}
