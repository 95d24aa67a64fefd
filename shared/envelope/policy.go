package envelope

import "fmt"

// CommitmentPolicy says which suites may be used to encrypt and to decrypt.
type CommitmentPolicy int

const (
	// RequireEncryptRequireDecrypt (the default) encrypts and decrypts only with committing suites.
	RequireEncryptRequireDecrypt CommitmentPolicy = iota
	// RequireEncryptAllowDecrypt encrypts with committing suites and also decrypts legacy messages.
	RequireEncryptAllowDecrypt
	// ForbidEncryptAllowDecrypt encrypts legacy (version 1, non-committing) messages only. It exists
	// to produce messages for readers that predate key commitment.
	ForbidEncryptAllowDecrypt
)

// String returns the policy name used by the other SDKs.
func (p CommitmentPolicy) String() string {
	switch p {
	case RequireEncryptRequireDecrypt:
		return "REQUIRE_ENCRYPT_REQUIRE_DECRYPT"
	case RequireEncryptAllowDecrypt:
		return "REQUIRE_ENCRYPT_ALLOW_DECRYPT"
	case ForbidEncryptAllowDecrypt:
		return "FORBID_ENCRYPT_ALLOW_DECRYPT"
	}
	return fmt.Sprintf("CommitmentPolicy(%d)", int(p))
}

func (p CommitmentPolicy) defaultSuite() SuiteID {
	if p == ForbidEncryptAllowDecrypt {
		return AES256GCMHKDFSHA384ECDSAP384
	}
	return DefaultSuite
}

func (p CommitmentPolicy) allowsEncrypt(s *suite) error {
	switch p {
	case RequireEncryptRequireDecrypt, RequireEncryptAllowDecrypt:
		if s.commit {
			return nil
		}
	case ForbidEncryptAllowDecrypt:
		if !s.commit {
			return nil
		}
	}
	return fmt.Errorf("%w: %s cannot encrypt with suite %s", ErrCommitmentPolicy, p, s.id)
}

func (p CommitmentPolicy) allowsDecrypt(s *suite) error {
	switch p {
	case RequireEncryptAllowDecrypt, ForbidEncryptAllowDecrypt:
		return nil
	case RequireEncryptRequireDecrypt:
		if s.commit {
			return nil
		}
	}
	return fmt.Errorf("%w: %s cannot decrypt suite %s", ErrCommitmentPolicy, p, s.id)
}
