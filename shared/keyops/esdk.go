package keyops

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/keyward/keyward/shared/envelope"
)

// ESDK implements Envelope with shared/envelope: AWS Encryption SDK messages (suite
// 0x0478 by default) whose data keys come from a KMS keyring per CMK behind a caching
// materials manager, so that a warm process encrypts thousands of messages per
// GenerateDataKey.
//
// Rewrap decrypts and re-encrypts the body inside the process (the plaintext never
// leaves it): rebuilding an ESDK v2 header around the same data key would need a
// second header-authentication tag under the same derived key and the all-zero IV
// the format fixes — GCM nonce reuse, from which anyone holding both messages can
// recover the authentication key and forge frames. See the README.
type ESDK struct {
	kms   envelope.KMSClient
	cfg   ESDKConfig
	cache *envelope.MaterialsCache

	mu      sync.Mutex
	clients map[string]*esdkKey
}

// ESDKConfig bounds data-key reuse.
type ESDKConfig struct {
	TTL         time.Duration // default 5 min
	MaxMessages uint64        // per data key; default 100,000
	MaxBytes    uint64        // per data key; default 1 GiB
	CacheSize   int           // entries; default 1000
}

type esdkKey struct {
	enc, dec *envelope.Client
	caching  *envelope.CachingMaterials
}

// NewESDK returns an ESDK over a KMS client.
func NewESDK(kmsClient envelope.KMSClient, cfg ESDKConfig) *ESDK {
	if cfg.TTL <= 0 {
		cfg.TTL = 5 * time.Minute
	}
	if cfg.MaxMessages == 0 {
		cfg.MaxMessages = 100_000
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 1 << 30
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 1000
	}
	return &ESDK{kms: kmsClient, cfg: cfg, cache: envelope.NewMaterialsCache(cfg.CacheSize), clients: map[string]*esdkKey{}}
}

// key returns the clients of one CMK: one keyring, one caching manager, whose
// entries are partitioned by key ARN in the shared cache.
func (e *ESDK) key(keyARN string) (*esdkKey, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if k, ok := e.clients[keyARN]; ok {
		return k, nil
	}
	kr, err := envelope.NewKMSKeyring(envelope.KMSKeyringConfig{Client: e.kms, Generator: keyARN})
	if err != nil {
		return nil, err
	}
	cm, err := envelope.NewCachingMaterials(envelope.CachingConfig{
		Materials: envelope.NewKeyringMaterials(kr), Cache: e.cache, TTL: e.cfg.TTL,
		MaxMessages: e.cfg.MaxMessages, MaxBytes: e.cfg.MaxBytes, PartitionID: "keyops:" + keyARN,
	})
	if err != nil {
		return nil, err
	}
	c, err := envelope.NewClient(envelope.Config{Materials: cm})
	if err != nil {
		return nil, err
	}
	k := &esdkKey{enc: c, dec: c, caching: cm}
	e.clients[keyARN] = k
	return k, nil
}

// Stats sums the cache hits and misses (misses are KMS calls) of every key.
func (e *ESDK) Stats() envelope.CacheStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	var s envelope.CacheStats
	for _, k := range e.clients {
		st := k.caching.Stats()
		s.Hits += st.Hits
		s.Misses += st.Misses
	}
	return s
}

// Encrypt implements Envelope.
func (e *ESDK) Encrypt(ctx context.Context, keyARN string, plaintext []byte, ec map[string]string) ([]byte, error) {
	k, err := e.key(keyARN)
	if err != nil {
		return nil, err
	}
	return k.enc.Encrypt(ctx, plaintext, ec)
}

// Header implements Envelope: the context and the aws-kms key ARNs, without a KMS call.
func (e *ESDK) Header(msg []byte) (MessageHeader, error) {
	h, err := envelope.ParseHeader(msg, envelope.Limits{})
	if err != nil {
		return MessageHeader{}, err
	}
	out := MessageHeader{EncryptionContext: h.EncryptionContext}
	for _, k := range h.EncryptedDataKeys {
		if k.ProviderID == envelope.KMSProviderID {
			out.KeyARNs = append(out.KeyARNs, string(k.ProviderInfo))
		}
	}
	return out, nil
}

// Decrypt implements Envelope: only the first allowed key is tried (the keyring of a
// key decrypts only EDKs of that key ARN).
func (e *ESDK) Decrypt(ctx context.Context, msg []byte, allowed []string, required map[string]string) ([]byte, error) {
	if len(allowed) == 0 {
		return nil, errors.New("keyops: no key allowed to decrypt")
	}
	k, err := e.key(allowed[0])
	if err != nil {
		return nil, err
	}
	if len(required) == 0 {
		required = nil
	}
	pt, _, err := k.dec.Decrypt(ctx, msg, required)
	return pt, err
}

// Rewrap implements Envelope: decrypt with the source key, encrypt the same
// plaintext and context under the destination key, clear the plaintext.
func (e *ESDK) Rewrap(ctx context.Context, msg []byte, from []string, toKeyARN string) ([]byte, error) {
	h, err := e.Header(msg)
	if err != nil {
		return nil, err
	}
	pt, err := e.Decrypt(ctx, msg, from, nil)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	ec := make(map[string]string, len(h.EncryptionContext))
	for k, v := range h.EncryptionContext {
		if k != "aws-crypto-public-key" {
			ec[k] = v
		}
	}
	out, err := e.Encrypt(ctx, toKeyARN, pt, ec)
	if err != nil {
		return nil, fmt.Errorf("rewrap: %w", err)
	}
	return out, nil
}
