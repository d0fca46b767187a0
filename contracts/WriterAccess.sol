// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title WriterAccess
/// @notice Minimal ownership plus a set of authorised writers. The owner manages writers; only
///         writers may call functions guarded by `onlyWriter`. The owner is not a writer by default.
abstract contract WriterAccess {
    address public owner;
    mapping(address => bool) public isWriter;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event WriterAdded(address indexed writer);
    event WriterRemoved(address indexed writer);

    error NotOwner(address caller);
    error NotWriter(address caller);
    error ZeroAddress();

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier onlyWriter() {
        if (!isWriter[msg.sender]) revert NotWriter(msg.sender);
        _;
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Authorises `writer`; adding a writer twice changes nothing and emits nothing.
    function addWriter(address writer) external onlyOwner {
        if (writer == address(0)) revert ZeroAddress();
        if (isWriter[writer]) return;
        isWriter[writer] = true;
        emit WriterAdded(writer);
    }

    /// @notice Revokes `writer`; removing a non-writer changes nothing and emits nothing.
    function removeWriter(address writer) external onlyOwner {
        if (!isWriter[writer]) return;
        isWriter[writer] = false;
        emit WriterRemoved(writer);
    }
}
