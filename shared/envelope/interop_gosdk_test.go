package envelope_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"testing"

	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/keyward/keyward/shared/envelope"
)

// officialClient returns the official AWS Encryption SDK for Go (v0.3.0) under policy.
func officialClient(t testing.TB, policy mpltypes.ESDKCommitmentPolicy) *esdk.Client {
	t.Helper()
	c, err := esdk.NewClient(esdktypes.AwsEncryptionSdkConfig{CommitmentPolicy: &policy})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// officialKeyring builds the official raw keyring that matches a keyring of the interop matrix.
func officialKeyring(t testing.TB, k jsKeyring) mpltypes.IKeyring {
	t.Helper()
	ctx := context.Background()
	m, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var kr mpltypes.IKeyring
	switch k.Type {
	case "aes":
		key, _ := base64.StdEncoding.DecodeString(k.Key)
		alg := map[int]mpltypes.AesWrappingAlg{16: mpltypes.AesWrappingAlgAlgAes128GcmIv12Tag16, 24: mpltypes.AesWrappingAlgAlgAes192GcmIv12Tag16, 32: mpltypes.AesWrappingAlgAlgAes256GcmIv12Tag16}[len(key)]
		kr, err = m.CreateRawAesKeyring(ctx, mpltypes.CreateRawAesKeyringInput{KeyName: k.Name, KeyNamespace: k.Namespace, WrappingAlg: alg, WrappingKey: key})
	case "rsa":
		pad := map[string]mpltypes.PaddingScheme{"pkcs1": mpltypes.PaddingSchemePkcs1, "oaep-sha1": mpltypes.PaddingSchemeOaepSha1Mgf1,
			"oaep-sha256": mpltypes.PaddingSchemeOaepSha256Mgf1, "oaep-sha384": mpltypes.PaddingSchemeOaepSha384Mgf1, "oaep-sha512": mpltypes.PaddingSchemeOaepSha512Mgf1}[k.Padding]
		kr, err = m.CreateRawRsaKeyring(ctx, mpltypes.CreateRawRsaKeyringInput{KeyName: k.Name, KeyNamespace: k.Namespace, PaddingScheme: pad,
			PrivateKey: []byte(k.Private), PublicKey: []byte(k.Public)})
	}
	if err != nil {
		t.Fatalf("official keyring %s: %v", k.Name, err)
	}
	return kr
}

func TestInteropKeywardToOfficialGo(t *testing.T) {
	ctx := context.Background()
	official := officialClient(t, mpltypes.ESDKCommitmentPolicyRequireEncryptAllowDecrypt)
	krs := map[string]mpltypes.IKeyring{}
	matrix := interopMatrix(t)
	for _, c := range matrix {
		cfg := envelope.Config{Keyring: c.kr.kr, Suite: c.suite, FrameLength: c.frame, CommitmentPolicy: policyFor(c.suite)}
		if !c.framed {
			envelope.SetNonFramed(&cfg)
		}
		pt := pattern(c.size)
		msg, err := mustClient(t, cfg).Encrypt(ctx, pt, c.context)
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		kr := krs[c.kr.name]
		if kr == nil {
			kr = officialKeyring(t, c.kr.js)
			krs[c.kr.name] = kr
		}
		out, err := official.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: msg, Keyring: kr, EncryptionContext: c.context})
		if err != nil {
			t.Errorf("%s: the official Go SDK cannot decrypt keyward's message: %v", c.id, err)
			continue
		}
		if !bytes.Equal(out.Plaintext, pt) {
			t.Errorf("%s: the official Go SDK decrypted a different plaintext", c.id)
		}
	}
	t.Logf("%d keyward messages decrypted by the official Go SDK", len(matrix))
}

func TestInteropOfficialGoToKeyward(t *testing.T) {
	ctx := context.Background()
	n := 0
	for _, c := range interopMatrix(t) {
		if !c.framed {
			continue
		}
		policy := mpltypes.ESDKCommitmentPolicyRequireEncryptRequireDecrypt
		if !c.suite.Committing() {
			policy = mpltypes.ESDKCommitmentPolicyForbidEncryptAllowDecrypt
		}
		suite := mpltypes.ESDKAlgorithmSuiteId(fmt.Sprintf("0x%04X", uint16(c.suite)))
		frame := int64(c.frame)
		pt := pattern(c.size)
		out, err := officialClient(t, policy).Encrypt(ctx, esdktypes.EncryptInput{Plaintext: pt, AlgorithmSuiteId: &suite,
			EncryptionContext: c.context, FrameLength: &frame, Keyring: officialKeyring(t, c.kr.js)})
		if err != nil {
			t.Errorf("%s: official Go SDK encrypt: %v", c.id, err)
			continue
		}
		got, _, err := mustClient(t, envelope.Config{Keyring: c.kr.kr, CommitmentPolicy: envelope.RequireEncryptAllowDecrypt}).Decrypt(ctx, out.Ciphertext, c.context)
		if err != nil {
			t.Errorf("%s: keyward cannot decrypt the official Go SDK's message: %v", c.id, err)
			continue
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("%s: different plaintext", c.id)
		}
		n++
	}
	t.Logf("%d official Go SDK messages decrypted by keyward", n)
}
