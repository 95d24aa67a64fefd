package conformance

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

func TestKMSSmoke(t *testing.T) {
	c := kms.NewFromConfig(clientConfig(""))
	ctx := ctxT(t)
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("smoke")})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("hi"),
		EncryptionContext: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"a": "b"}})
	if err != nil || string(dec.Plaintext) != "hi" || *dec.KeyId != *k.KeyMetadata.Arn {
		t.Fatalf("decrypt = %+v, %v", dec, err)
	}
}
