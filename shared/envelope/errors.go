package envelope

import "errors"

var (
	// ErrAuthentication is the one error for every failed cryptographic check of a message: key
	// commitment, header authentication, a frame's tag, the footer signature. It carries no detail,
	// so that a caller (or an attacker) learns nothing about which check failed.
	ErrAuthentication = errors.New("envelope: message authentication failed")
	// ErrMalformed wraps errors about the structure of a message (truncated, bad field values).
	ErrMalformed = errors.New("envelope: malformed message")
	// ErrLimit wraps errors for messages that exceed a configured limit.
	ErrLimit = errors.New("envelope: limit exceeded")
	// ErrNoDataKey means no keyring could decrypt any of the message's encrypted data keys.
	ErrNoDataKey = errors.New("envelope: no encrypted data key could be decrypted")
	// ErrCommitmentPolicy means the suite is not allowed by the commitment policy.
	ErrCommitmentPolicy = errors.New("envelope: algorithm suite not allowed by commitment policy")
	// ErrContextMismatch means a required encryption context entry is missing or differs.
	ErrContextMismatch = errors.New("envelope: encryption context does not match")
	// ErrInvalidContext means a caller's encryption context cannot be used (reserved key, not UTF-8).
	ErrInvalidContext = errors.New("envelope: invalid encryption context")
)
