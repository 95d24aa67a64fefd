package kms

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"sort"

	"github.com/keyward/keyward/localstack/awsapi"
)

var grantOperations = map[string]bool{
	"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"ReEncryptFrom": true, "ReEncryptTo": true, "CreateGrant": true, "RetireGrant": true, "DescribeKey": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true, "Sign": true, "Verify": true,
	"GetPublicKey": true, "GenerateMac": true, "VerifyMac": true, "DeriveSharedSecret": true,
}

// symmetricGrantOperations are those a symmetric encryption key can grant.
var symmetricGrantOperations = map[string]bool{
	"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"ReEncryptFrom": true, "ReEncryptTo": true, "CreateGrant": true, "RetireGrant": true, "DescribeKey": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
}

// Grant tokens are opaque to callers; here they carry the key and grant they
// were issued for: "kwg1" | key id (16 bytes) | grant id (32 bytes) | 16 random bytes.
const tokenMagic = "kwg1"

func newGrantToken(keyID, grantID string) string {
	id, _ := uuidBytes(keyID)
	gid, _ := hex.DecodeString(grantID)
	b := append([]byte(tokenMagic), id[:]...)
	b = append(b, gid...)
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(append(b, nonce...))
}

func parseGrantToken(tok string) (keyID, grantID string, err error) {
	b, derr := base64.StdEncoding.DecodeString(tok)
	if derr != nil || len(b) != len(tokenMagic)+16+32+16 || string(b[:len(tokenMagic)]) != tokenMagic {
		return "", "", kmsErr("InvalidGrantTokenException", "The grant token is not valid.")
	}
	b = b[len(tokenMagic):]
	return uuidString(b[:16]), hex.EncodeToString(b[16:48]), nil
}

func checkGrantTokens(tokens []string) error {
	if len(tokens) > 10 {
		return validation("grantTokens", len(tokens), "Member must have length less than or equal to 10")
	}
	for _, t := range tokens {
		if len(t) == 0 || len(t) > 8192 {
			return kmsErr("InvalidGrantTokenException", "The grant token is not valid.")
		}
		if _, _, err := parseGrantToken(t); err != nil {
			return err
		}
	}
	return nil
}

type grantEntry struct {
	KeyId             string
	GrantId           string
	Name              string `json:",omitempty"`
	CreationDate      epoch
	GranteePrincipal  string
	RetiringPrincipal string `json:",omitempty"`
	IssuingAccount    string
	Operations        []string
	Constraints       *grantConstraint `json:",omitempty"`
}

func entryOf(k *key, g *grant) grantEntry {
	return grantEntry{KeyId: k.ARN, GrantId: g.GrantID, Name: g.Name, CreationDate: epoch(g.Created),
		GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal,
		IssuingAccount: g.IssuingAccount, Operations: g.Operations, Constraints: g.Constraints}
}

func (s *Service) createGrant(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID             string `json:"KeyId"`
		GranteePrincipal  string
		RetiringPrincipal string
		Operations        []string
		Constraints       *grantConstraint
		GrantTokens       []string
		Name              string
		DryRun            bool
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		switch {
		case in.GranteePrincipal == "":
			return nil, required("granteePrincipal")
		case len(in.Operations) == 0:
			return nil, required("operations")
		case len(in.Name) > 256:
			return nil, lengthAtMost("name", 256)
		}
		for _, op := range in.Operations {
			if !grantOperations[op] {
				return nil, validation("operations", op, "Member must satisfy enum value set")
			}
			if !symmetricGrantOperations[op] {
				return nil, awsapi.Validation("Grant operation %s is not valid for a symmetric encryption KMS key", op)
			}
		}
		if in.Constraints != nil && in.Constraints.EncryptionContextEquals != nil && in.Constraints.EncryptionContextSubset != nil {
			return nil, awsapi.Validation("Specify either EncryptionContextEquals or EncryptionContextSubset, not both")
		}
		if err := checkGrantTokens(in.GrantTokens); err != nil {
			return nil, err
		}
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		if in.DryRun {
			return nil, errDryRun()
		}
		ops := slices.Clone(in.Operations)
		sort.Strings(ops)
		// A retried CreateGrant with the same name and parameters returns the same grant.
		if in.Name != "" {
			for _, g := range k.Grants {
				if g.Name == in.Name && g.GranteePrincipal == in.GranteePrincipal &&
					g.RetiringPrincipal == in.RetiringPrincipal && slices.Equal(g.Operations, ops) {
					return map[string]any{"GrantId": g.GrantID, "GrantToken": newGrantToken(k.KeyID, g.GrantID)}, nil
				}
			}
		}
		if len(k.Grants) >= 50000 {
			return nil, kmsErr("LimitExceededException", "Too many grants for %s", k.ARN)
		}
		raw := make([]byte, 32)
		_, _ = rand.Read(raw)
		g := &grant{GrantID: hex.EncodeToString(raw), Name: in.Name, Created: s.now(),
			GranteePrincipal: in.GranteePrincipal, RetiringPrincipal: in.RetiringPrincipal,
			IssuingAccount: "arn:aws:iam::" + s.opts.AccountID + ":root", Operations: ops, Constraints: in.Constraints}
		k.Grants = append(k.Grants, g)
		if err := s.save(); err != nil {
			return nil, err
		}
		return map[string]any{"GrantId": g.GrantID, "GrantToken": newGrantToken(k.KeyID, g.GrantID)}, nil
	})
}

func (s *Service) listGrants(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID            string `json:"KeyId"`
		GrantID          string `json:"GrantId"`
		GranteePrincipal string
		pageInput
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		var all []grantEntry
		for _, g := range k.Grants {
			if (in.GrantID == "" || g.GrantID == in.GrantID) && (in.GranteePrincipal == "" || g.GranteePrincipal == in.GranteePrincipal) {
				all = append(all, entryOf(k, g))
			}
		}
		start, end, next, err := page(in.pageInput, len(all))
		if err != nil {
			return nil, err
		}
		return paged(map[string]any{"Grants": append([]grantEntry{}, all[start:end]...)}, next), nil
	})
}

func (s *Service) listRetirableGrants(call *awsapi.Call) (any, error) {
	var in struct {
		RetiringPrincipal string
		pageInput
	}
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	if in.RetiringPrincipal == "" {
		return nil, required("retiringPrincipal")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []grantEntry
	for _, id := range s.order {
		if k, ok := s.keys[id]; ok {
			for _, g := range k.Grants {
				if g.RetiringPrincipal == in.RetiringPrincipal {
					all = append(all, entryOf(k, g))
				}
			}
		}
	}
	start, end, next, err := page(in.pageInput, len(all))
	if err != nil {
		return nil, err
	}
	return paged(map[string]any{"Grants": append([]grantEntry{}, all[start:end]...)}, next), nil
}

func checkGrantID(id string) error {
	if id == "" {
		return required("grantId")
	}
	if _, err := hex.DecodeString(id); err != nil || len(id) != 64 {
		return kmsErr("InvalidGrantIdException", "Invalid grant ID: %s", id)
	}
	return nil
}

// removeGrant deletes a grant from a key. Callers hold s.mu.
func (s *Service) removeGrant(k *key, grantID string) error {
	for i, g := range k.Grants {
		if g.GrantID == grantID {
			k.Grants = slices.Delete(k.Grants, i, i+1)
			return s.save()
		}
	}
	return kmsErr("NotFoundException", "Grant ID %s not found", grantID)
}

func (s *Service) revokeGrant(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID   string `json:"KeyId"`
		GrantID string `json:"GrantId"`
		DryRun  bool
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if err := checkGrantID(in.GrantID); err != nil {
			return nil, err
		}
		if in.DryRun {
			return nil, errDryRun()
		}
		return nil, s.removeGrant(k, in.GrantID)
	})
}

// retireGrant accepts the grant token, or the key id with the grant id. Like
// RevokeGrant and the reads (ListGrants, GetKeyPolicy), it works on a key
// pending deletion, so clean-up can still remove access.
func (s *Service) retireGrant(call *awsapi.Call) (any, error) {
	var in struct {
		GrantToken string
		KeyID      string `json:"KeyId"`
		GrantID    string `json:"GrantId"`
		DryRun     bool
	}
	if err := decode(call, &in); err != nil {
		return nil, err
	}
	keyID, grantID := in.KeyID, in.GrantID
	if in.GrantToken != "" {
		kid, gid, err := parseGrantToken(in.GrantToken)
		if err != nil {
			return nil, err
		}
		if grantID != "" && grantID != gid {
			return nil, kmsErr("InvalidGrantIdException", "The grant ID does not match the grant token.")
		}
		keyID, grantID = kid, gid
	} else if keyID == "" || grantID == "" {
		return nil, awsapi.Validation("Either GrantToken, or both KeyId and GrantId, must be specified.")
	}
	if err := checkGrantID(grantID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.lookup(call.Region, keyID, resolveOpts{})
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	return nil, s.removeGrant(k, grantID)
}
