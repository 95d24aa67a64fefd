package demo

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/keyward/keyward/shared/envelope"
)

// appAccessKey is the local access key of "an application" that unwraps the
// message's data key with KMS itself (the endpoint maps it to user/alice).
const appAccessKey = "AKIDALICE"

// directDecrypt unwraps the data key of the demo message with kms:Decrypt as the
// application, outside keyops: what a service holding keyops' ciphertexts and
// its own KMS permissions does.
func (w *Walk) directDecrypt(ctx context.Context) error {
	msg, err := base64.StdEncoding.DecodeString(w.Ciphertext)
	if err != nil {
		return err
	}
	h, err := envelope.ParseHeader(msg, envelope.Limits{})
	if err != nil {
		return fmt.Errorf("message header: %w", err)
	}
	for _, edk := range h.EncryptedDataKeys {
		if edk.ProviderID != "aws-kms" || string(edk.ProviderInfo) != w.KeyARN {
			continue
		}
		cfg := w.aws.Copy()
		cfg.Credentials = credentials.NewStaticCredentialsProvider(appAccessKey, "local", "")
		_, err := kms.NewFromConfig(cfg).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: edk.Ciphertext,
			KeyId: aws.String(w.KeyARN), EncryptionContext: h.EncryptionContext})
		return err
	}
	return fmt.Errorf("the message has no data key wrapped by %s", w.KeyARN)
}
