package envelope

import (
	"context"
	"errors"
	"fmt"
)

// multiKeyring combines keyrings (framework/multi-keyring.md).
type multiKeyring struct {
	generator Keyring
	children  []Keyring
}

// NewMultiKeyring returns a keyring whose generator (may be nil if the materials already hold a
// data key) makes the data key and whose children each add an encrypted copy of it. On decrypt it
// tries the generator, then the children in order, and stops at the first that succeeds.
func NewMultiKeyring(generator Keyring, children ...Keyring) (Keyring, error) {
	if generator == nil && len(children) == 0 {
		return nil, errors.New("envelope: multi-keyring needs a generator or children")
	}
	for _, c := range children {
		if c == nil {
			return nil, errors.New("envelope: multi-keyring child is nil")
		}
	}
	return &multiKeyring{generator: generator, children: children}, nil
}

func (k *multiKeyring) OnEncrypt(ctx context.Context, m *EncryptionMaterials) error {
	if k.generator != nil {
		if m.PlaintextDataKey != nil {
			return errors.New("envelope: multi-keyring generator given materials that already hold a data key")
		}
		if err := k.generator.OnEncrypt(ctx, m); err != nil {
			return fmt.Errorf("multi-keyring generator: %w", err)
		}
	} else if m.PlaintextDataKey == nil {
		return errors.New("envelope: multi-keyring without generator needs a data key")
	}
	for i, c := range k.children {
		if err := c.OnEncrypt(ctx, m); err != nil {
			return fmt.Errorf("multi-keyring child %d: %w", i, err)
		}
	}
	return nil
}

func (k *multiKeyring) OnDecrypt(ctx context.Context, m *DecryptionMaterials, edks []EncryptedDataKey) error {
	if m.PlaintextDataKey != nil {
		return errors.New("envelope: decryption materials already hold a data key")
	}
	all := k.children
	if k.generator != nil {
		all = append([]Keyring{k.generator}, k.children...)
	}
	var errs []error
	for _, c := range all {
		err := c.OnDecrypt(ctx, m, edks)
		if err == nil && m.PlaintextDataKey != nil {
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("%w: multi-keyring: %w", ErrNoDataKey, errors.Join(errs...))
}
