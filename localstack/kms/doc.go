// Package kms is the local endpoint's AWS KMS (JSON 1.1, X-Amz-Target
// TrentService.*): symmetric keys with real AES-256-GCM, the encryption context
// bound as additional authenticated data, and ciphertext blobs that carry the key
// id and key material version so rotated keys still decrypt old data. Key states,
// error codes and messages follow the AWS KMS API reference. Key material never
// leaves the service except in the state file of a persistent endpoint.
package kms
