package demo_test

import (
	"fmt"

	"github.com/keyward/keyward/localstack/demo"
)

// The walk `make demo` and TestDemo run, in order.
func ExampleSteps() {
	for i, s := range demo.Steps() {
		fmt.Printf("%d. %s\n", i+1, s.Name)
	}
	// Output:
	// 1. create a key through the API
	// 2. encrypt and decrypt through the API
	// 3. schedule its deletion: refused, the key is in use
	// 4. disable the key (force, with a reason)
	// 5. a Decrypt with the disabled key fails
	// 6. the alarm fires and the SNS capture shows it
	// 7. rotate a PostgreSQL secret through RotateSecret
	// 8. the cached read returns the new value after its TTL
	// 9. the audit store answers: who decrypted this key?
}
