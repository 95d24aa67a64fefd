package secrets

import (
	"context"
	"crypto/rand"
	"math/big"
	"strings"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Character classes GetRandomPassword draws from (punctuation as documented).
const (
	lowerChars = "abcdefghijklmnopqrstuvwxyz"
	upperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digitChars = "0123456789"
	punctChars = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

type getRandomPasswordInput struct {
	PasswordLength          *int64
	ExcludeCharacters       *string
	ExcludeNumbers          bool
	ExcludePunctuation      bool
	ExcludeUppercase        bool
	ExcludeLowercase        bool
	IncludeSpace            bool
	RequireEachIncludedType *bool
}

type getRandomPasswordOutput struct {
	RandomPassword string `json:"RandomPassword"`
}

func (s *Service) getRandomPassword(_ context.Context, call *awsapi.Call) (any, error) {
	var in getRandomPasswordInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	p, err := randomPassword(in)
	if err != nil {
		return nil, err
	}
	return getRandomPasswordOutput{RandomPassword: p}, nil
}

// randomPassword generates a password with crypto/rand as GetRandomPassword
// documents: length 1–4096 (default 32), classes that can be excluded, and by
// default at least one character of each included class.
func randomPassword(in getRandomPasswordInput) (string, error) {
	n := int64(32)
	if in.PasswordLength != nil {
		n = *in.PasswordLength
	}
	if n < 1 || n > 4096 {
		return "", awsapi.Validation("1 validation error detected: Value '%d' at 'passwordLength' failed to satisfy constraint: Member must have value between 1 and 4096", n)
	}
	exclude := deref(in.ExcludeCharacters)
	if len(exclude) > 4096 {
		return "", errLength("excludeCharacters", 4096)
	}
	keep := func(set string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(exclude, r) {
				return -1
			}
			return r
		}, set)
	}
	var classes []string
	for _, c := range []struct {
		set  string
		skip bool
	}{{lowerChars, in.ExcludeLowercase}, {upperChars, in.ExcludeUppercase}, {digitChars, in.ExcludeNumbers}, {punctChars, in.ExcludePunctuation}, {" ", !in.IncludeSpace}} {
		if c.skip {
			continue
		}
		if k := keep(c.set); k != "" {
			classes = append(classes, k)
		}
	}
	if len(classes) == 0 {
		return "", errParam("The password can't be generated because every character type is excluded.")
	}
	requireEach := in.RequireEachIncludedType == nil || *in.RequireEachIncludedType
	if requireEach && int64(len(classes)) > n {
		return "", errParam("The password length %d is too short to include a character from each included type.", n)
	}
	all := strings.Join(classes, "")
	out := make([]byte, n)
	for i := range out {
		out[i] = all[randIntn(len(all))]
	}
	if requireEach {
		// put one character of each class at distinct random positions
		pos := perm(int(n))
		for i, c := range classes {
			out[pos[i]] = c[randIntn(len(c))]
		}
	}
	return string(out), nil
}

func randIntn(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("secrets: crypto/rand failed: " + err.Error()) // never on supported platforms
	}
	return int(v.Int64())
}

// perm is a crypto/rand Fisher–Yates permutation of 0..n-1.
func perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := randIntn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}
