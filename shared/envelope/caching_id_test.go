package envelope

import (
	"crypto/sha512"
	"encoding/hex"
	"testing"
)

// TestCacheIDsKnownAnswers pins the cache entry identifiers of framework/caching-cmm.md
// (appendix A) to values computed by the JS SDK's cache-material module (5.0.2) for the same
// inputs, so that both derive the same identifiers.
func TestCacheIDsKnownAnswers(t *testing.T) {
	ec := map[string]string{"tenant": "acme", "purpose": "kat", "Zé": "✓"}
	edks := []EncryptedDataKey{
		{ProviderID: "keyward-test", ProviderInfo: []byte("aes-256"), Ciphertext: []byte{1, 2, 3, 4}},
		{ProviderID: "aws-kms", ProviderInfo: []byte("arn:aws:kms:us-east-1:111122223333:key/k"), Ciphertext: []byte{9, 8, 7}},
	}
	cm := func(partition string) *CachingMaterials {
		return &CachingMaterials{partitionHash: sha512.Sum512([]byte(partition))}
	}
	check := func(name string, id cacheID, err error, want string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := hex.EncodeToString(id[:]); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	id, err := cm("keyward").encryptID(AES256GCMHKDFSHA512Commit, ec)
	check("encrypt with suite", id, err, "40f6dd21ead47c0638eed6ac9224056b82c4b8d6cc08de829a12fd27279ebf7ef06939a45fa7c529fa040fc3ea2141ce1e5713cf9811eb0c744d15131fde7a59")
	id, err = cm("keyward").encryptID(0, ec)
	check("encrypt without suite", id, err, "28ef312dd17c13b1c4dd90b98e2ec9edb897df499847217a2841495bccc6c20826a259f09969f2e6bb6dec8d1963ad4e174adaf60097e9736841fbba3435545c")
	id, err = cm("keyward").decryptID(AES256GCMHKDFSHA512Commit, edks, ec)
	check("decrypt", id, err, "644efdbd7e03f236db9fb099ecdbc6afb20651822597405fa67c47ba3f3543fd8db0cb3564f1d13565e411c7cc32909d22d65ce3029e1e5fda82b9b149a0d1b8")
	id, err = cm("").decryptID(AES256GCMHKDFSHA256, edks[:1], nil)
	check("decrypt, empty partition and context", id, err, "6d04000c3b242810cab335dbd4dce66d2d76fad44ba946634f2f395498581fea01afc72082f09cbbb6de742859c24295ad92c8b4908ddca0d611b2d318b9d92e")
	// EDK order does not matter.
	id, err = cm("keyward").decryptID(AES256GCMHKDFSHA512Commit, []EncryptedDataKey{edks[1], edks[0]}, ec)
	check("decrypt, EDKs reversed", id, err, "644efdbd7e03f236db9fb099ecdbc6afb20651822597405fa67c47ba3f3543fd8db0cb3564f1d13565e411c7cc32909d22d65ce3029e1e5fda82b9b149a0d1b8")
}
