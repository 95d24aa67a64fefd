package envelope_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/keyward/keyward/shared/envelope"
)

func ExampleClient_Encrypt() {
	ctx := context.Background()
	wrappingKey := bytes.Repeat([]byte{7}, 32) // in real use: from a secret store, never a constant
	kr, err := envelope.NewRawAESKeyring("keyward", "example-key", wrappingKey)
	if err != nil {
		log.Fatal(err)
	}
	c, err := envelope.NewClient(envelope.Config{Keyring: kr})
	if err != nil {
		log.Fatal(err)
	}
	msg, err := c.Encrypt(ctx, []byte("card 4111"), map[string]string{"tenant": "acme"})
	if err != nil {
		log.Fatal(err)
	}
	pt, ec, err := c.Decrypt(ctx, msg, map[string]string{"tenant": "acme"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s for %s\n", pt, ec["tenant"])
	// Output: card 4111 for acme
}

func ExampleClient_NewDecryptReader() {
	ctx := context.Background()
	kr, _ := envelope.NewRawAESKeyring("keyward", "example-key", bytes.Repeat([]byte{7}, 32))
	c, _ := envelope.NewClient(envelope.Config{Keyring: kr})

	var msg bytes.Buffer
	w, err := c.NewEncryptWriter(ctx, &msg, map[string]string{"file": "report.csv"}, -1)
	if err != nil {
		log.Fatal(err)
	}
	io.Copy(w, strings.NewReader(strings.Repeat("row\n", 3000)))
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := c.NewDecryptReader(ctx, &msg, map[string]string{"file": "report.csv"})
	if err != nil {
		log.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r) // frames are released as they authenticate
	fmt.Println(n, err)
	// Output: 12000 <nil>
}

func ExampleNewCachingMaterials() {
	ctx := context.Background()
	kr, _ := envelope.NewRawAESKeyring("keyward", "example-key", bytes.Repeat([]byte{7}, 32))
	cmm, err := envelope.NewCachingMaterials(envelope.CachingConfig{
		Materials:   envelope.NewKeyringMaterials(kr),
		Cache:       envelope.NewMaterialsCache(100),
		TTL:         5 * time.Minute,
		MaxMessages: 1000,    // a data key encrypts at most 1000 messages
		MaxBytes:    1 << 30, // and at most 1 GiB
		PartitionID: "orders",
	})
	if err != nil {
		log.Fatal(err)
	}
	c, _ := envelope.NewClient(envelope.Config{Materials: cmm})
	for _, order := range []string{"one", "two", "three"} {
		if _, err := c.Encrypt(ctx, []byte(order), map[string]string{"tenant": "acme"}); err != nil {
			log.Fatal(err)
		}
	}
	// One data key from the keyring, reused for the next two messages.
	fmt.Printf("%+v\n", cmm.Stats())
	// Output: {Hits:2 Misses:1}
}
