// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WriterAccess} from "./WriterAccess.sol";

/// @title LoanRegistry
/// @notice A loan's id hash, amount (cents), term (months) and its status changes. The platform's
///         state machine decides the workflow; this registry records it. Each status is recorded at
///         most once per loan, so a retried or re-ordered publication reverts with `AlreadyRecorded`
///         instead of writing twice. The one cycle in the workflow (a defaulted loan restructured back
///         to Disbursed) is therefore not recorded again: the registry keeps each status's first time.
contract LoanRegistry is WriterAccess {
    enum Status {
        None,
        Submitted,
        Approved,
        Rejected,
        Withdrawn,
        Disbursed,
        Repaid,
        Defaulted,
        WrittenOff
    }

    struct Loan {
        uint256 amount;
        uint16 termMonths;
        Status status;
        uint16 recorded; // bit i set once Status(i) was recorded
        uint64 registeredAt;
        uint64 updatedAt;
    }

    mapping(bytes32 => Loan) private _loans;

    event LoanRegistered(bytes32 indexed loanIdHash, uint256 amount, uint16 termMonths, uint64 timestamp);
    event LoanStatusChanged(bytes32 indexed loanIdHash, Status from, Status to, uint64 timestamp);

    error AlreadyRegistered(bytes32 loanIdHash);
    error UnknownLoan(bytes32 loanIdHash);
    error AlreadyRecorded(bytes32 loanIdHash, Status status);
    error InvalidStatus();
    error InvalidLoan();

    /// @notice Registers a loan with its first status (usually Submitted).
    function registerLoan(bytes32 loanIdHash, uint256 amount, uint16 termMonths, Status status)
        external
        onlyWriter
    {
        if (loanIdHash == bytes32(0) || amount == 0 || termMonths == 0) revert InvalidLoan();
        if (status == Status.None) revert InvalidStatus();
        Loan storage loan = _loans[loanIdHash];
        if (loan.status != Status.None) revert AlreadyRegistered(loanIdHash);

        uint64 timestamp = uint64(block.timestamp);
        loan.amount = amount;
        loan.termMonths = termMonths;
        loan.status = status;
        loan.recorded = uint16(1) << uint8(status);
        loan.registeredAt = timestamp;
        loan.updatedAt = timestamp;
        emit LoanRegistered(loanIdHash, amount, termMonths, timestamp);
        emit LoanStatusChanged(loanIdHash, Status.None, status, timestamp);
    }

    function recordStatus(bytes32 loanIdHash, Status status) external onlyWriter {
        if (status == Status.None) revert InvalidStatus();
        Loan storage loan = _loans[loanIdHash];
        if (loan.status == Status.None) revert UnknownLoan(loanIdHash);
        uint16 bit = uint16(1) << uint8(status);
        if (loan.recorded & bit != 0) revert AlreadyRecorded(loanIdHash, status);

        Status from = loan.status;
        uint64 timestamp = uint64(block.timestamp);
        loan.status = status;
        loan.recorded |= bit;
        loan.updatedAt = timestamp;
        emit LoanStatusChanged(loanIdHash, from, status, timestamp);
    }

    /// @notice The loan; all fields are zero (status None) when it was never registered.
    function getLoan(bytes32 loanIdHash) external view returns (Loan memory) {
        return _loans[loanIdHash];
    }

    function statusOf(bytes32 loanIdHash) external view returns (Status) {
        return _loans[loanIdHash].status;
    }

    function hasRecorded(bytes32 loanIdHash, Status status) external view returns (bool) {
        return _loans[loanIdHash].recorded & (uint16(1) << uint8(status)) != 0;
    }
}
