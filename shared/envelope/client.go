package envelope

import (
	"errors"
	"fmt"
	"math"
)

// DefaultFrameLength is the frame length used when Config.FrameLength is zero.
const DefaultFrameLength = 4096

// Limits bound what a Client accepts from an untrusted message. A zero field takes the default
// shown; a negative field means no limit.
type Limits struct {
	// MaxEncryptedDataKeys bounds the encrypted data keys in a header, on decrypt and on encrypt
	// (default 32).
	MaxEncryptedDataKeys int
	// MaxHeaderSize bounds the header, its authentication included (default 1 MiB).
	MaxHeaderSize int
	// MaxFrameLength bounds the frame length a message may declare (default 4 MiB).
	MaxFrameLength int
	// MaxBufferedPlaintext bounds what a DecryptReader holds before it may release it: the whole
	// plaintext of a signed message, or the content of a non-framed one (default 64 MiB).
	MaxBufferedPlaintext int64
}

func (l Limits) withDefaults() Limits {
	def := func(v, d int) int {
		switch {
		case v == 0:
			return d
		case v < 0:
			return 0
		}
		return v
	}
	l.MaxEncryptedDataKeys = def(l.MaxEncryptedDataKeys, 32)
	l.MaxHeaderSize = def(l.MaxHeaderSize, 1<<20)
	l.MaxFrameLength = def(l.MaxFrameLength, 4<<20)
	switch {
	case l.MaxBufferedPlaintext == 0:
		l.MaxBufferedPlaintext = 64 << 20
	case l.MaxBufferedPlaintext < 0:
		l.MaxBufferedPlaintext = math.MaxInt64
	}
	return l
}

// Config configures a Client. Set exactly one of Keyring and Materials.
type Config struct {
	// Keyring provides data keys through the default materials manager.
	Keyring Keyring
	// Materials is a materials manager, for example a caching one from NewCachingMaterials.
	Materials MaterialsManager
	// Suite is the algorithm suite to encrypt with; zero means the policy's default
	// (AES256GCMHKDFSHA512Commit, or AES256GCMHKDFSHA384ECDSAP384 under ForbidEncryptAllowDecrypt).
	Suite SuiteID
	// FrameLength is the plaintext bytes per frame; zero means DefaultFrameLength.
	FrameLength int
	// CommitmentPolicy defaults to RequireEncryptRequireDecrypt.
	CommitmentPolicy CommitmentPolicy
	// Limits bound untrusted input.
	Limits Limits

	nonFramed bool // tests only: encrypt non-framed messages
}

// Client encrypts and decrypts messages in the AWS Encryption SDK message format. It is safe for
// concurrent use.
type Client struct {
	cmm         MaterialsManager
	suite       SuiteID
	frameLength int
	policy      CommitmentPolicy
	limits      Limits
	nonFramed   bool
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	c := &Client{suite: cfg.Suite, frameLength: cfg.FrameLength, policy: cfg.CommitmentPolicy, limits: cfg.Limits.withDefaults(), nonFramed: cfg.nonFramed}
	switch {
	case cfg.Keyring != nil && cfg.Materials != nil:
		return nil, errors.New("envelope: set Keyring or Materials, not both")
	case cfg.Keyring != nil:
		c.cmm = NewKeyringMaterials(cfg.Keyring)
	case cfg.Materials != nil:
		c.cmm = cfg.Materials
	default:
		return nil, errors.New("envelope: Config needs a Keyring or Materials")
	}
	if c.policy < RequireEncryptRequireDecrypt || c.policy > ForbidEncryptAllowDecrypt {
		return nil, fmt.Errorf("envelope: unknown commitment policy %d", int(c.policy))
	}
	if c.suite == 0 {
		c.suite = c.policy.defaultSuite()
	}
	s, err := lookupSuite(c.suite)
	if err != nil {
		return nil, err
	}
	if err := c.policy.allowsEncrypt(s); err != nil {
		return nil, err
	}
	if c.frameLength == 0 {
		c.frameLength = DefaultFrameLength
	}
	if c.frameLength < 1 || int64(c.frameLength) > math.MaxUint32 {
		return nil, fmt.Errorf("envelope: frame length %d out of range", c.frameLength)
	}
	if c.limits.MaxFrameLength > 0 && c.frameLength > c.limits.MaxFrameLength {
		return nil, fmt.Errorf("envelope: frame length %d above the limit %d", c.frameLength, c.limits.MaxFrameLength)
	}
	return c, nil
}
