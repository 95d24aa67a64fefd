package secrets

import (
	"context"
	"testing"

	"github.com/keyward/keyward/localstack/awsapi"
)

// BenchmarkGetSecretValue against its peer DescribeSecret shows what the KMS
// decrypt costs per read (compare ns/op of the two).
func BenchmarkGetSecretValue(b *testing.B) { benchmarkRead(b, "GetSecretValue") }

func BenchmarkDescribeSecret(b *testing.B) { benchmarkRead(b, "DescribeSecret") }

func benchmarkRead(b *testing.B, op string) {
	svc, err := New(Options{Keys: newFakeKeys()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.Serve(ctx, &awsapi.Call{Operation: "CreateSecret", Body: []byte(`{"Name":"bench","SecretString":"0123456789abcdef"}`)}); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"SecretId":"bench"}`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.Serve(ctx, &awsapi.Call{Operation: op, Body: body}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
