package envelope_test

import (
	"context"
	"encoding/base64"
	"testing"

	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
)

// BenchmarkOfficialGoSDK runs the official AWS Encryption SDK for Go v0.3.0 (raw AES keyring; it
// has no materials cache) on the same sizes and suites, as the peer the README compares with.
func BenchmarkOfficialGoSDK(b *testing.B) {
	ctx := context.Background()
	ec := map[string]string{"tenant": "acme", "purpose": "bench"}
	kr := officialKeyring(b, jsKeyring{Type: "aes", Namespace: "keyward-test", Name: "aes-256", Key: base64.StdEncoding.EncodeToString(testAESKey(32))})
	client := officialClient(b, mpltypes.ESDKCommitmentPolicyRequireEncryptRequireDecrypt)
	for _, op := range []string{"Encrypt", "Decrypt"} {
		for _, su := range benchSuites {
			for _, s := range benchSizes {
				b.Run(op+"/"+su.name+"/"+s.name, func(b *testing.B) {
					suite := mpltypes.ESDKAlgorithmSuiteIdAlgAes256GcmHkdfSha512CommitKey
					if su.suite.Signed() {
						suite = mpltypes.ESDKAlgorithmSuiteIdAlgAes256GcmHkdfSha512CommitKeyEcdsaP384
					}
					pt := pattern(s.n)
					in := esdktypes.EncryptInput{Plaintext: pt, AlgorithmSuiteId: &suite, EncryptionContext: ec, Keyring: kr}
					var msg []byte
					if op == "Decrypt" {
						out, err := client.Encrypt(ctx, in)
						if err != nil {
							b.Fatal(err)
						}
						msg = out.Ciphertext
					}
					ref := rawGCMSeal(s.n)
					b.SetBytes(int64(s.n))
					b.ReportAllocs()
					cpu := processCPU()
					b.ResetTimer()
					for b.Loop() {
						var err error
						if op == "Encrypt" {
							_, err = client.Encrypt(ctx, in)
						} else {
							_, err = client.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: msg, Keyring: kr})
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					reportRatio(b, s.n, b.Elapsed(), processCPU()-cpu, ref)
				})
			}
		}
	}
}
