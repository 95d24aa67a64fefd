package conformance

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

func kmsClient() *kms.Client { return kms.NewFromConfig(clientConfig("")) }

// newKey creates a customer managed key for one test.
func newKey(t *testing.T, c *kms.Client) *types.KeyMetadata {
	t.Helper()
	out, err := c.CreateKey(ctxT(t), &kms.CreateKeyInput{Description: aws.String(t.Name())})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return out.KeyMetadata
}

// uniqueAlias is an alias name no other test (or earlier run) uses.
func uniqueAlias(t *testing.T) string {
	return "alias/conformance/" + strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()) + "-" +
		time.Now().Format("150405.000000000")[7:]
}

// wantAPIError requires err to carry code (the SDK's ErrorCode) and, when msg is
// set, a message containing it.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func TestKMSCreateKey(t *testing.T) {
	c := kmsClient()
	out, err := c.CreateKey(ctxT(t), &kms.CreateKeyInput{Description: aws.String("d"),
		Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("sec")}}})
	if err != nil {
		t.Fatal(err)
	}
	md := out.KeyMetadata
	if md.KeyState != types.KeyStateEnabled || !md.Enabled || md.KeyUsage != types.KeyUsageTypeEncryptDecrypt ||
		md.KeySpec != types.KeySpecSymmetricDefault || md.KeyManager != types.KeyManagerTypeCustomer ||
		md.Origin != types.OriginTypeAwsKms || aws.ToString(md.Description) != "d" ||
		!strings.HasSuffix(aws.ToString(md.Arn), ":key/"+aws.ToString(md.KeyId)) || md.CreationDate == nil {
		t.Fatalf("metadata = %+v", md)
	}
	_, err = c.CreateKey(ctxT(t), &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("aws:reserved"), TagValue: aws.String("x")}}})
	var te *types.TagException
	if !errors.As(err, &te) {
		t.Fatalf("aws: tag prefix: want TagException, got %v", err)
	}
	_, err = c.CreateKey(ctxT(t), &kms.CreateKeyInput{Policy: aws.String("not json")})
	var mp *types.MalformedPolicyDocumentException
	if !errors.As(err, &mp) {
		t.Fatalf("bad policy: want MalformedPolicyDocumentException, got %v", err)
	}
}

func TestKMSDescribeKey(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	name := uniqueAlias(t)
	if _, err := c.CreateAlias(ctxT(t), &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	aliasARN := strings.Replace(aws.ToString(md.Arn), ":key/"+aws.ToString(md.KeyId), ":"+name, 1)
	for _, id := range []string{aws.ToString(md.KeyId), aws.ToString(md.Arn), name, aliasARN} {
		out, err := c.DescribeKey(ctxT(t), &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil || aws.ToString(out.KeyMetadata.KeyId) != aws.ToString(md.KeyId) {
			t.Fatalf("DescribeKey(%s) = %v, %v", id, out, err)
		}
	}
	tests := []struct{ id, msg string }{
		{"11111111-2222-3333-4444-555555555555", "does not exist"},
		{"alias/conformance/none", "is not found"},
		{"not-a-key", ""},
	}
	for _, tc := range tests {
		_, err := c.DescribeKey(ctxT(t), &kms.DescribeKeyInput{KeyId: aws.String(tc.id)})
		wantAPIError(t, err, "NotFoundException", tc.msg)
	}
}

func TestKMSListKeys(t *testing.T) {
	c := kmsClient()
	a, b := newKey(t, c), newKey(t, c)
	seen := map[string]bool{}
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, k := range out.Keys {
			seen[aws.ToString(k.KeyId)] = aws.ToString(k.KeyArn) != ""
		}
	}
	if !seen[aws.ToString(a.KeyId)] || !seen[aws.ToString(b.KeyId)] || pages < 2 {
		t.Fatalf("ListKeys missed keys or did not page: %d pages, %v", pages, seen)
	}
	_, err := c.ListKeys(ctxT(t), &kms.ListKeysInput{Marker: aws.String("garbage")})
	var im *types.InvalidMarkerException
	if !errors.As(err, &im) {
		t.Fatalf("bad marker: want InvalidMarkerException, got %v", err)
	}
}

func TestKMSAliases(t *testing.T) {
	c := kmsClient()
	k1, k2 := newKey(t, c), newKey(t, c)
	name := uniqueAlias(t)
	ctx := ctxT(t)
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: k1.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: k2.KeyId})
	var ae *types.AlreadyExistsException
	if !errors.As(err, &ae) {
		t.Fatalf("duplicate alias: want AlreadyExistsException, got %v", err)
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: k2.KeyId})
	var in *types.InvalidAliasNameException
	if !errors.As(err, &in) {
		t.Fatalf("reserved alias: want InvalidAliasNameException, got %v", err)
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("no-prefix"), TargetKeyId: k2.KeyId})
	wantAPIError(t, err, "ValidationException", "")

	list, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: k1.KeyId})
	if err != nil || len(list.Aliases) != 1 || aws.ToString(list.Aliases[0].AliasName) != name ||
		aws.ToString(list.Aliases[0].TargetKeyId) != aws.ToString(k1.KeyId) {
		t.Fatalf("ListAliases(k1) = %+v, %v", list, err)
	}
	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(name), TargetKeyId: k2.KeyId}); err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(name), Plaintext: []byte("x")})
	if err != nil || aws.ToString(enc.KeyId) != aws.ToString(k2.Arn) {
		t.Fatalf("Encrypt via updated alias = %v, %v; want key %s", enc, err, aws.ToString(k2.Arn))
	}
	if _, err := c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(name)})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("second DeleteAlias: want NotFoundException, got %v", err)
	}
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(name), TargetKeyId: k2.KeyId})
	if !errors.As(err, &nf) {
		t.Fatalf("UpdateAlias of deleted alias: want NotFoundException, got %v", err)
	}
}

func TestKMSEncryptDecrypt(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	ec := map[string]string{"tenant": "acme", "purpose": "conformance"}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("hello"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(enc.KeyId) != aws.ToString(md.Arn) || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault ||
		bytes.Contains(enc.CiphertextBlob, []byte("hello")) {
		t.Fatalf("Encrypt = %+v", enc)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	if err != nil || string(dec.Plaintext) != "hello" || aws.ToString(dec.KeyId) != aws.ToString(md.Arn) {
		t.Fatalf("Decrypt = %+v, %v", dec, err)
	}
	// Wrong or missing encryption context, or a tampered blob: InvalidCiphertextException.
	tampered := bytes.Clone(enc.CiphertextBlob)
	tampered[len(tampered)-1] ^= 1
	for name, in := range map[string]*kms.DecryptInput{
		"missing context": {CiphertextBlob: enc.CiphertextBlob},
		"wrong context":   {CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"tenant": "other", "purpose": "conformance"}},
		"tampered":        {CiphertextBlob: tampered, EncryptionContext: ec},
		"garbage":         {CiphertextBlob: bytes.Repeat([]byte{7}, 100)},
	} {
		_, err := c.Decrypt(ctx, in)
		var ic *types.InvalidCiphertextException
		if !errors.As(err, &ic) {
			t.Errorf("%s: want InvalidCiphertextException, got %v", name, err)
		}
	}
	// A named KeyId that is not the blob's key: IncorrectKeyException.
	other := newKey(t, c)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: other.KeyId})
	var ik *types.IncorrectKeyException
	if !errors.As(err, &ik) {
		t.Fatalf("wrong KeyId: want IncorrectKeyException, got %v", err)
	}
	// Plaintext limits: 1..4096 bytes.
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 4096)}); err != nil {
		t.Fatalf("4096-byte plaintext: %v", err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 4097)})
	wantAPIError(t, err, "ValidationException", "4096")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/conformance/missing"), Plaintext: []byte("x")})
	wantAPIError(t, err, "NotFoundException", "")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), DryRun: aws.Bool(true)})
	var dr *types.DryRunOperationException
	if !errors.As(err, &dr) {
		t.Fatalf("DryRun: want DryRunOperationException, got %v", err)
	}
}

func TestKMSKeyStatesRefuseCryptography(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	var de *types.DisabledException
	if !errors.As(err, &de) {
		t.Fatalf("Encrypt with disabled key: want DisabledException, got %v", err)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if !errors.As(err, &de) {
		t.Fatalf("Decrypt with disabled key: want DisabledException, got %v", err)
	}
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatalf("Decrypt after EnableKey: %v", err)
	}
	if _, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"Encrypt": func() error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
			return err
		},
		"Decrypt": func() error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			return err
		},
		"GenerateDataKey": func() error {
			_, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256})
			return err
		},
		"EnableKey": func() error {
			_, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
			return err
		},
	} {
		var is *types.KMSInvalidStateException
		err := call()
		if !errors.As(err, &is) || !strings.HasSuffix(is.ErrorMessage(), aws.ToString(md.Arn)+" is pending deletion.") {
			t.Errorf("%s on key pending deletion: want KMSInvalidStateException \"<arn> is pending deletion.\", got %v", name, err)
		}
	}
}

func TestKMSEnableDisableKey(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.Arn}); err != nil {
		t.Fatal(err)
	}
	d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	if d.KeyMetadata.KeyState != types.KeyStateDisabled || d.KeyMetadata.Enabled {
		t.Fatalf("after DisableKey: %s", d.KeyMetadata.KeyState)
	}
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	if d.KeyMetadata.KeyState != types.KeyStateEnabled {
		t.Fatalf("after EnableKey: %s", d.KeyMetadata.KeyState)
	}
	_, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String("11111111-2222-3333-4444-555555555555")})
	wantAPIError(t, err, "NotFoundException", "does not exist")
}

func TestKMSScheduleAndCancelKeyDeletion(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	for _, days := range []int32{6, 31} {
		_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(days)})
		wantAPIError(t, err, "ValidationException", "pendingWindowInDays")
	}
	before := time.Now()
	out, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	if out.KeyState != types.KeyStatePendingDeletion || aws.ToInt32(out.PendingWindowInDays) != 7 ||
		out.DeletionDate.Before(before.Add(7*24*time.Hour-time.Minute)) || out.DeletionDate.After(before.Add(8*24*time.Hour)) ||
		aws.ToString(out.KeyId) != aws.ToString(md.Arn) {
		t.Fatalf("ScheduleKeyDeletion = %+v", out)
	}
	d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	if d.KeyMetadata.KeyState != types.KeyStatePendingDeletion || d.KeyMetadata.DeletionDate == nil {
		t.Fatalf("DescribeKey while pending deletion: %+v", d.KeyMetadata)
	}
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId})
	wantAPIError(t, err, "KMSInvalidStateException", "is pending deletion.")
	cancel, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId})
	if err != nil || aws.ToString(cancel.KeyId) != aws.ToString(md.Arn) {
		t.Fatalf("CancelKeyDeletion = %v, %v", cancel, err)
	}
	d, _ = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	if d.KeyMetadata.KeyState != types.KeyStateDisabled || d.KeyMetadata.DeletionDate != nil {
		t.Fatalf("after CancelKeyDeletion the key must be Disabled, got %s", d.KeyMetadata.KeyState)
	}
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId})
	wantAPIError(t, err, "KMSInvalidStateException", "")
}

func TestKMSGenerateDataKey(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	ec := map[string]string{"file": "a.txt"}
	out, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
	if err != nil || len(out.Plaintext) != 32 || aws.ToString(out.KeyId) != aws.ToString(md.Arn) {
		t.Fatalf("GenerateDataKey = %+v, %v", out, err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec})
	if err != nil || !bytes.Equal(dec.Plaintext, out.Plaintext) {
		t.Fatalf("Decrypt of the data key = %v, %v", dec, err)
	}
	n, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: aws.Int32(64)})
	if err != nil || len(n.Plaintext) != 64 {
		t.Fatalf("NumberOfBytes 64 = %v, %v", n, err)
	}
	for name, in := range map[string]*kms.GenerateDataKeyInput{
		"neither":  {KeyId: md.KeyId},
		"both":     {KeyId: md.KeyId, KeySpec: types.DataKeySpecAes128, NumberOfBytes: aws.Int32(16)},
		"too many": {KeyId: md.KeyId, NumberOfBytes: aws.Int32(1025)},
	} {
		_, err := c.GenerateDataKey(ctx, in)
		var ve smithy.APIError
		if !errors.As(err, &ve) || ve.ErrorCode() != "ValidationException" {
			t.Errorf("%s: want ValidationException, got %v", name, err)
		}
	}
}

func TestKMSGenerateDataKeyWithoutPlaintext(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	out, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: md.KeyId, KeySpec: types.DataKeySpecAes128})
	if err != nil || len(out.CiphertextBlob) == 0 {
		t.Fatalf("GenerateDataKeyWithoutPlaintext = %+v, %v", out, err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob})
	if err != nil || len(dec.Plaintext) != 16 {
		t.Fatalf("Decrypt = %v, %v", dec, err)
	}
}

func TestKMSReEncrypt(t *testing.T) {
	c := kmsClient()
	src, dst := newKey(t, c), newKey(t, c)
	ctx := ctxT(t)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: src.KeyId, Plaintext: []byte("move me"), EncryptionContext: map[string]string{"v": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	re, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: map[string]string{"v": "1"},
		DestinationKeyId: dst.KeyId, DestinationEncryptionContext: map[string]string{"v": "2"}})
	if err != nil || aws.ToString(re.SourceKeyId) != aws.ToString(src.Arn) || aws.ToString(re.KeyId) != aws.ToString(dst.Arn) {
		t.Fatalf("ReEncrypt = %+v, %v", re, err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: map[string]string{"v": "2"}})
	if err != nil || string(dec.Plaintext) != "move me" || aws.ToString(dec.KeyId) != aws.ToString(dst.Arn) {
		t.Fatalf("Decrypt of re-encrypted = %v, %v", dec, err)
	}
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: dst.KeyId})
	var ic *types.InvalidCiphertextException
	if !errors.As(err, &ic) {
		t.Fatalf("ReEncrypt without source context: want InvalidCiphertextException, got %v", err)
	}
}

func TestKMSGenerateRandom(t *testing.T) {
	c := kmsClient()
	ctx := ctxT(t)
	a, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)})
	if err != nil || len(a.Plaintext) != 32 {
		t.Fatalf("GenerateRandom = %v, %v", a, err)
	}
	b, _ := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)})
	if bytes.Equal(a.Plaintext, b.Plaintext) {
		t.Fatal("two GenerateRandom calls returned the same bytes")
	}
	for _, n := range []int32{0, 1025} {
		_, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(n)})
		wantAPIError(t, err, "ValidationException", "numberOfBytes")
	}
}

func TestKMSKeyRotation(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
	if err != nil || st.KeyRotationEnabled {
		t.Fatalf("new key rotation status = %+v, %v", st, err)
	}
	if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(90)}); err != nil {
		t.Fatal(err)
	}
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
	if err != nil || !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 90 || st.NextRotationDate == nil {
		t.Fatalf("after EnableKeyRotation = %+v, %v", st, err)
	}
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(89)})
	wantAPIError(t, err, "ValidationException", "rotationPeriodInDays")
	if _, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	st, _ = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
	if st.KeyRotationEnabled {
		t.Fatal("rotation still enabled after DisableKeyRotation")
	}

	old, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("before rotation")})
	if err != nil {
		t.Fatal(err)
	}
	rot, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	if err != nil || aws.ToString(rot.KeyId) != aws.ToString(md.KeyId) {
		t.Fatalf("RotateKeyOnDemand = %v, %v", rot, err)
	}
	newer, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("after rotation")})
	if err != nil {
		t.Fatal(err)
	}
	for _, blob := range [][]byte{old.CiphertextBlob, newer.CiphertextBlob} {
		if _, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}); err != nil {
			t.Fatalf("Decrypt after rotation: %v", err)
		}
	}
	list, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId})
	if err != nil || len(list.Rotations) != 1 || list.Rotations[0].RotationType != types.RotationTypeOnDemand || list.Rotations[0].RotationDate == nil {
		t.Fatalf("ListKeyRotations = %+v, %v", list, err)
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	var de *types.DisabledException
	if !errors.As(err, &de) {
		t.Fatalf("RotateKeyOnDemand of disabled key: want DisabledException, got %v", err)
	}
}

func TestKMSKeyPolicies(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	got, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default")})
	if err != nil || !strings.Contains(aws.ToString(got.Policy), ":root") || !strings.Contains(aws.ToString(got.Policy), `"kms:*"`) {
		t.Fatalf("default key policy = %v, %v", got, err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	if _, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default")})
	if aws.ToString(got.Policy) != policy {
		t.Fatalf("policy after PutKeyPolicy = %s", aws.ToString(got.Policy))
	}
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default"), Policy: aws.String("{")})
	var mp *types.MalformedPolicyDocumentException
	if !errors.As(err, &mp) {
		t.Fatalf("malformed policy: want MalformedPolicyDocumentException, got %v", err)
	}
	names, err := c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: md.KeyId})
	if err != nil || len(names.PolicyNames) != 1 || names.PolicyNames[0] != "default" {
		t.Fatalf("ListKeyPolicies = %v, %v", names, err)
	}
}

func TestKMSGrants(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	grantee := "arn:aws:iam::111122223333:role/keyward-rotation"
	g1, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee),
		RetiringPrincipal: aws.String(grantee), Operations: []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationEncrypt},
		Name: aws.String("g1")})
	if err != nil || len(aws.ToString(g1.GrantId)) == 0 || len(aws.ToString(g1.GrantToken)) == 0 {
		t.Fatalf("CreateGrant = %v, %v", g1, err)
	}
	// Grant tokens are accepted wherever GrantTokens is.
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), GrantTokens: []string{aws.ToString(g1.GrantToken)}}); err != nil {
		t.Fatalf("Encrypt with grant token: %v", err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x"), GrantTokens: []string{"bogus"}})
	var igt *types.InvalidGrantTokenException
	if !errors.As(err, &igt) {
		t.Fatalf("bogus grant token: want InvalidGrantTokenException, got %v", err)
	}
	g2, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md.Arn, GranteePrincipal: aws.String(grantee),
		Operations: []types.GrantOperation{types.GrantOperationGenerateDataKey}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId})
	if err != nil || len(list.Grants) != 2 {
		t.Fatalf("ListGrants = %+v, %v", list, err)
	}
	if _, err := c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g1.GrantToken}); err != nil {
		t.Fatalf("RetireGrant by token: %v", err)
	}
	if _, err := c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: g2.GrantId}); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	list, _ = c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId})
	if len(list.Grants) != 0 {
		t.Fatalf("grants left after retire and revoke: %+v", list.Grants)
	}
	g3, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String(grantee),
		Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: md.Arn, GrantId: g3.GrantId}); err != nil {
		t.Fatalf("RetireGrant by key and grant id: %v", err)
	}
	_, err = c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: g3.GrantId})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("revoke of retired grant: want NotFoundException, got %v", err)
	}
	_, err = c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: aws.String("not-hex")})
	var igi *types.InvalidGrantIdException
	if !errors.As(err, &igi) {
		t.Fatalf("malformed grant id: want InvalidGrantIdException, got %v", err)
	}
}

func TestKMSTags(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	if _, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []types.Tag{
		{TagKey: aws.String("env"), TagValue: aws.String("dev")}, {TagKey: aws.String("team"), TagValue: aws.String("a")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId})
	if err != nil || len(out.Tags) != 2 {
		t.Fatalf("ListResourceTags = %+v, %v", out, err)
	}
	for _, tg := range out.Tags {
		if aws.ToString(tg.TagKey) == "env" && aws.ToString(tg.TagValue) != "prod" {
			t.Fatalf("tag env not overwritten: %s", aws.ToString(tg.TagValue))
		}
	}
	if _, err := c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: md.KeyId, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	out, _ = c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId})
	if len(out.Tags) != 1 {
		t.Fatalf("after UntagResource: %+v", out.Tags)
	}
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}})
	var te *types.TagException
	if !errors.As(err, &te) {
		t.Fatalf("aws: tag: want TagException, got %v", err)
	}
}

func TestKMSUnicodeAndHostileNames(t *testing.T) {
	c := kmsClient()
	ctx := ctxT(t)
	desc := "clé 🔑 キー \u202e"
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(desc),
		Tags: []types.Tag{{TagKey: aws.String("propriétaire"), TagValue: aws.String("équipe 🔐")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: out.KeyMetadata.KeyId})
	if err != nil || aws.ToString(d.KeyMetadata.Description) != desc {
		t.Fatalf("unicode description round trip = %q, %v", aws.ToString(d.KeyMetadata.Description), err)
	}
	for _, name := range []string{"alias/clé", "alias/../../etc/passwd", "alias/a b", "alias/" + strings.Repeat("x", 300)} {
		_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: out.KeyMetadata.KeyId})
		wantAPIError(t, err, "ValidationException", "")
	}
	for _, id := range []string{"../" + aws.ToString(out.KeyMetadata.KeyId), "arn:aws:kms:us-east-1:999999999999:key/" + aws.ToString(out.KeyMetadata.KeyId), "🔑"} {
		_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		wantAPIError(t, err, "NotFoundException", "")
	}
}

// A key pending deletion can still be inspected and have its grants removed,
// but takes no new grants or tags.
func TestKMSPendingDeletionAllowsCleanUp(t *testing.T) {
	c := kmsClient()
	md := newKey(t, c)
	ctx := ctxT(t)
	g, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String("arn:aws:iam::111122223333:role/x"),
		Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default")}); err != nil {
		t.Fatalf("GetKeyPolicy while pending deletion: %v", err)
	}
	if l, err := c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: md.KeyId}); err != nil || len(l.Grants) != 1 {
		t.Fatalf("ListGrants while pending deletion: %v, %v", l, err)
	}
	if _, err := c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: md.KeyId, GrantId: g.GrantId}); err != nil {
		t.Fatalf("RevokeGrant while pending deletion: %v", err)
	}
	_, err = c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: aws.String("arn:aws:iam::111122223333:role/x"),
		Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	wantAPIError(t, err, "KMSInvalidStateException", "is pending deletion.")
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}})
	wantAPIError(t, err, "KMSInvalidStateException", "is pending deletion.")
}
