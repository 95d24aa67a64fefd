package envelope

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// KMSProviderID is the provider id of encrypted data keys made by AWS KMS keyrings.
const KMSProviderID = "aws-kms"

// KMSClient is the part of the AWS SDK's KMS client the KMS keyrings call (*kms.Client has it).
type KMSClient interface {
	GenerateDataKey(ctx context.Context, params *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Encrypt(ctx context.Context, params *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, params *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// KMSKeyringConfig configures NewKMSKeyring.
type KMSKeyringConfig struct {
	Client KMSClient
	// Generator makes each data key with GenerateDataKey: a key id, key ARN, alias name or alias
	// ARN. Empty for a keyring that only adds encrypted copies to a data key made elsewhere.
	Generator string
	// KeyIDs each encrypt the data key again (KMS Encrypt), so that any of them can decrypt it.
	KeyIDs []string
	// GrantTokens are passed to every KMS call.
	GrantTokens []string
}

// kmsKeyring is the AWS KMS keyring of the specification (framework/aws-kms/aws-kms-keyring.md)
// extended to several keys, as the SDKs' "KMS multi-keyring" helper builds it.
type kmsKeyring struct {
	client      KMSClient
	generator   string
	keyIDs      []string
	grantTokens []string
}

// NewKMSKeyring returns a keyring that protects data keys with AWS KMS keys. On decrypt it tries
// only encrypted data keys whose provider is aws-kms and whose key ARN is one of the configured
// identifiers (so configure key ARNs to decrypt; aliases work on encrypt only), and asks KMS to
// decrypt with exactly that key.
func NewKMSKeyring(cfg KMSKeyringConfig) (Keyring, error) {
	if cfg.Client == nil {
		return nil, errors.New("envelope: KMS keyring needs a client")
	}
	if cfg.Generator == "" && len(cfg.KeyIDs) == 0 {
		return nil, errors.New("envelope: KMS keyring needs a generator or key ids")
	}
	if slices.Contains(cfg.KeyIDs, "") {
		return nil, errors.New("envelope: KMS keyring key id is empty")
	}
	return &kmsKeyring{client: cfg.Client, generator: cfg.Generator, keyIDs: slices.Clone(cfg.KeyIDs), grantTokens: cfg.GrantTokens}, nil
}

func (k *kmsKeyring) OnEncrypt(ctx context.Context, m *EncryptionMaterials) error {
	n := m.Suite.KeyLength()
	if n == 0 {
		return fmt.Errorf("envelope: unknown suite %s", m.Suite)
	}
	if m.PlaintextDataKey == nil {
		if k.generator == "" {
			return errors.New("envelope: KMS keyring without generator needs a data key")
		}
		out, err := k.client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
			KeyId: aws.String(k.generator), NumberOfBytes: aws.Int32(int32(n)),
			EncryptionContext: m.EncryptionContext, GrantTokens: k.grantTokens,
		})
		if err != nil {
			return fmt.Errorf("envelope: KMS GenerateDataKey with %s: %w", k.generator, err)
		}
		arn := aws.ToString(out.KeyId)
		if _, err := parseKeyARN(arn); err != nil {
			return fmt.Errorf("envelope: KMS GenerateDataKey returned key id %q: %w", arn, err)
		}
		if len(out.Plaintext) != n {
			return fmt.Errorf("envelope: KMS GenerateDataKey returned %d bytes, want %d", len(out.Plaintext), n)
		}
		m.PlaintextDataKey = out.Plaintext
		m.EncryptedDataKeys = append(m.EncryptedDataKeys, EncryptedDataKey{ProviderID: KMSProviderID, ProviderInfo: []byte(arn), Ciphertext: out.CiphertextBlob})
	} else if k.generator != "" {
		if err := k.encrypt(ctx, m, k.generator); err != nil {
			return err
		}
	}
	for _, id := range k.keyIDs {
		if err := k.encrypt(ctx, m, id); err != nil {
			return err
		}
	}
	return nil
}

func (k *kmsKeyring) encrypt(ctx context.Context, m *EncryptionMaterials, keyID string) error {
	out, err := k.client.Encrypt(ctx, &kms.EncryptInput{
		KeyId: aws.String(keyID), Plaintext: m.PlaintextDataKey,
		EncryptionContext: m.EncryptionContext, GrantTokens: k.grantTokens,
	})
	if err != nil {
		return fmt.Errorf("envelope: KMS Encrypt with %s: %w", keyID, err)
	}
	arn := aws.ToString(out.KeyId)
	if _, err := parseKeyARN(arn); err != nil {
		return fmt.Errorf("envelope: KMS Encrypt returned key id %q: %w", arn, err)
	}
	m.EncryptedDataKeys = append(m.EncryptedDataKeys, EncryptedDataKey{ProviderID: KMSProviderID, ProviderInfo: []byte(arn), Ciphertext: out.CiphertextBlob})
	return nil
}

func (k *kmsKeyring) OnDecrypt(ctx context.Context, m *DecryptionMaterials, edks []EncryptedDataKey) error {
	allowed := func(arn string) bool {
		return arn != "" && (arn == k.generator || slices.Contains(k.keyIDs, arn))
	}
	return kmsDecrypt(ctx, k.client, k.grantTokens, m, edks, allowed)
}

// kmsDecrypt asks KMS to decrypt each allowed aws-kms encrypted data key in turn, with the key named
// in it, until one succeeds.
func kmsDecrypt(ctx context.Context, client KMSClient, grants []string, m *DecryptionMaterials, edks []EncryptedDataKey, allowed func(string) bool) error {
	if m.PlaintextDataKey != nil {
		return errors.New("envelope: decryption materials already hold a data key")
	}
	var errs []error
	for _, e := range edks {
		if e.ProviderID != KMSProviderID {
			continue
		}
		arn := string(e.ProviderInfo)
		if _, err := parseKeyARN(arn); err != nil || !allowed(arn) {
			continue
		}
		out, err := client.Decrypt(ctx, &kms.DecryptInput{
			KeyId: aws.String(arn), CiphertextBlob: e.Ciphertext,
			EncryptionContext: m.EncryptionContext, GrantTokens: grants,
		})
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("KMS Decrypt with %s: %w", arn, err))
		case aws.ToString(out.KeyId) != arn:
			errs = append(errs, fmt.Errorf("KMS Decrypt with %s answered for %s", arn, aws.ToString(out.KeyId)))
		case len(out.Plaintext) != m.Suite.KeyLength():
			errs = append(errs, fmt.Errorf("KMS Decrypt with %s returned %d bytes", arn, len(out.Plaintext)))
		default:
			m.PlaintextDataKey = out.Plaintext
			return nil
		}
	}
	if len(errs) == 0 {
		return fmt.Errorf("%w: no aws-kms encrypted data key for an allowed key", ErrNoDataKey)
	}
	return fmt.Errorf("%w: %w", ErrNoDataKey, errors.Join(errs...))
}

// KMSDiscoveryConfig configures NewKMSDiscoveryKeyring.
type KMSDiscoveryConfig struct {
	Client KMSClient
	// Partition and AccountIDs, when set, restrict decryption to keys of these accounts in this
	// partition (the discovery filter). Set both or neither.
	Partition  string
	AccountIDs []string
	// Region, when set, skips keys of other regions (the client can reach only its own).
	Region      string
	GrantTokens []string
}

type kmsDiscoveryKeyring struct {
	client      KMSClient
	partition   string
	accounts    []string
	region      string
	grantTokens []string
}

// NewKMSDiscoveryKeyring returns a decrypt-only keyring that asks KMS to decrypt any aws-kms
// encrypted data key, with the key named in it, within the discovery filter.
func NewKMSDiscoveryKeyring(cfg KMSDiscoveryConfig) (Keyring, error) {
	if cfg.Client == nil {
		return nil, errors.New("envelope: KMS discovery keyring needs a client")
	}
	if (cfg.Partition == "") != (len(cfg.AccountIDs) == 0) || slices.Contains(cfg.AccountIDs, "") {
		return nil, errors.New("envelope: KMS discovery filter needs a partition and account ids")
	}
	return &kmsDiscoveryKeyring{client: cfg.Client, partition: cfg.Partition, accounts: slices.Clone(cfg.AccountIDs), region: cfg.Region, grantTokens: cfg.GrantTokens}, nil
}

func (k *kmsDiscoveryKeyring) OnEncrypt(context.Context, *EncryptionMaterials) error {
	return errors.New("envelope: a KMS discovery keyring cannot encrypt")
}

func (k *kmsDiscoveryKeyring) OnDecrypt(ctx context.Context, m *DecryptionMaterials, edks []EncryptedDataKey) error {
	allowed := func(s string) bool {
		a, err := parseKeyARN(s)
		if err != nil {
			return false
		}
		if k.region != "" && a.region != k.region {
			return false
		}
		return k.partition == "" || (a.partition == k.partition && slices.Contains(k.accounts, a.account))
	}
	return kmsDecrypt(ctx, k.client, k.grantTokens, m, edks, allowed)
}

type keyARN struct{ partition, region, account, keyID string }

// parseKeyARN accepts arn:<partition>:kms:<region>:<account>:key/<id>, the only form an encrypted
// data key may name.
func parseKeyARN(s string) (keyARN, error) {
	p := strings.SplitN(s, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[1] == "" || p[2] != "kms" || p[3] == "" || p[4] == "" {
		return keyARN{}, errors.New("not a KMS key ARN")
	}
	id, ok := strings.CutPrefix(p[5], "key/")
	if !ok || id == "" {
		return keyARN{}, errors.New("not a KMS key ARN")
	}
	return keyARN{partition: p[1], region: p[3], account: p[4], keyID: id}, nil
}
