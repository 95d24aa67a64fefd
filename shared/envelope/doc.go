// Package envelope encrypts and decrypts data in the AWS Encryption SDK message format, so that
// what keyward encrypts any official SDK (Java, Python, C, JavaScript, .NET, Rust, Go) can decrypt,
// and the other way round.
//
// # Messages
//
// A Client encrypts with the committing suites of message format version 2:
// AES256GCMHKDFSHA512Commit (the default) or AES256GCMHKDFSHA512CommitECDSAP384 (with an ECDSA
// P-384 signature in the footer, for when the readers must not be able to forge messages). It
// decrypts version 1 and version 2 messages of all eleven suites, framed and non-framed, as the
// CommitmentPolicy allows: RequireEncryptRequireDecrypt by default, RequireEncryptAllowDecrypt to
// read legacy messages. Frames hold Config.FrameLength bytes (4096 by default).
//
// The encryption context is stored in the header in the clear and authenticated; it is
// serialized sorted by key in binary UTF-8 order, as the specification requires. Keys starting
// with "aws-crypto-" are reserved (signed suites store their public key under
// aws-crypto-public-key).
//
// Before any plaintext is released, decryption checks the key commitment (version 2) and the
// header authentication tag; each frame is released only after its own tag verifies. Every failed
// cryptographic check returns the one error ErrAuthentication, without detail. Limits bound what an
// untrusted message can make the decryptor do (encrypted data keys, header size, frame length,
// buffered plaintext), and Decrypt's required argument rejects a message whose encryption context
// lacks or changes an expected entry (ErrContextMismatch).
//
// # Keyrings
//
// NewKMSKeyring (GenerateDataKey with a generator key or alias, Encrypt with additional keys,
// Decrypt only of aws-kms data keys whose key ARN is configured), NewKMSDiscoveryKeyring (any
// aws-kms data key, within an optional partition and account filter), NewRawAESKeyring and
// NewRawRSAKeyring (PKCS#1 v1.5 and OAEP with SHA-1/256/384/512), byte-compatible with the official
// raw keyrings, and NewMultiKeyring to combine them. KMS is reached through KMSClient, the three
// methods of the AWS SDK's *kms.Client that the keyrings call.
//
// # Materials cache
//
// NewCachingMaterials is the specification's caching materials manager: entries keyed by the
// specification's cache identifiers (partition id, suite, encryption context, encrypted data
// keys), limited by TTL, messages and bytes per data key. Concurrent misses for one entry make a
// single call to the underlying manager. Encryptions of unknown size bypass the cache.
//
// # Streaming
//
// Client.NewEncryptWriter encrypts to an io.Writer holding at most one frame. Client.NewDecryptReader
// decrypts from an io.Reader: for unsigned suites in constant memory, one frame at a time; for
// signed suites it releases nothing until the signature verifies, so it holds the whole plaintext,
// at most Limits.MaxBufferedPlaintext (64 MiB by default). Non-framed content is also held whole.
//
// # Interoperability notes
//
// The JavaScript SDK's raw AES keyring sorts the encryption context for its wrapping AAD with
// localeCompare instead of binary UTF-8 order (aws-encryption-sdk-javascript#428): its raw AES
// messages whose context keys mix case or use non-ASCII characters cannot be decrypted by
// implementations that follow the specification, this one and the official Go SDK included.
// Messages under KMS and RSA keyrings are not affected.
//
// Not implemented: multi-region-key-aware KMS keyrings, the hierarchical, ECDH and KMS RSA
// keyrings, and the required-encryption-context materials manager (messages whose context was
// partly left out of the header).
package envelope
