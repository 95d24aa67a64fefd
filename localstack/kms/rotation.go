package kms

import (
	"github.com/keyward/keyward/localstack/awsapi"
)

const maxOnDemandRotations = 25

// rotatable checks a key can have its rotation changed: customer managed and
// Enabled (a Disabled key gives DisabledException, as for cryptography).
func rotatable(k *key) error {
	if k.Manager == "AWS" {
		return kmsErr("UnsupportedOperationException", "%s is an AWS managed key; its rotation cannot be changed", k.ARN)
	}
	return usable(k)
}

func (s *Service) enableKeyRotation(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID                string `json:"KeyId"`
		RotationPeriodInDays *int
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		period := 365
		if in.RotationPeriodInDays != nil {
			period = *in.RotationPeriodInDays
			if period < 90 || period > 2560 {
				return nil, rangeErr("rotationPeriodInDays", period, 90, 2560)
			}
		}
		if err := rotatable(k); err != nil {
			return nil, err
		}
		next := s.now().AddDate(0, 0, period)
		k.RotationEnabled, k.RotationPeriod, k.NextRotation = true, period, &next
		return nil, s.save()
	})
}

func (s *Service) disableKeyRotation(call *awsapi.Call) (any, error) {
	var in keyIDInput
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if err := rotatable(k); err != nil {
			return nil, err
		}
		k.RotationEnabled, k.RotationPeriod, k.NextRotation = false, 0, nil
		return nil, s.save()
	})
}

func (s *Service) getKeyRotationStatus(call *awsapi.Call) (any, error) {
	var in keyIDInput
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		out := map[string]any{"KeyRotationEnabled": k.RotationEnabled, "KeyId": k.ARN}
		if k.RotationEnabled {
			out["RotationPeriodInDays"] = k.RotationPeriod
			out["NextRotationDate"] = epochPtr(k.NextRotation)
		}
		if k.OnDemandStart != nil {
			out["OnDemandRotationStartDate"] = epochPtr(k.OnDemandStart)
		}
		return out, nil
	})
}

func (s *Service) rotateKeyOnDemand(call *awsapi.Call) (any, error) {
	var in keyIDInput
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if err := rotatable(k); err != nil {
			return nil, err
		}
		n := 0
		for _, r := range k.Rotations {
			if r.Type == "ON_DEMAND" {
				n++
			}
		}
		if n >= maxOnDemandRotations {
			return nil, kmsErr("LimitExceededException", "%s has reached the limit of %d on-demand rotations", k.ARN, maxOnDemandRotations)
		}
		// Real KMS rotates asynchronously within seconds; here the new material
		// is current as soon as the call returns.
		s.addMaterial(k, "ON_DEMAND")
		return map[string]any{"KeyId": k.KeyID}, s.save()
	})
}

func (s *Service) listKeyRotations(call *awsapi.Call) (any, error) {
	var in struct {
		KeyID string `json:"KeyId"`
		pageInput
	}
	return s.withKey(call, &in, func() string { return in.KeyID }, resolveOpts{}, func(k *key) (any, error) {
		if k.State == statePendingDeletion {
			return nil, errPendingDeletion(k.ARN)
		}
		start, end, next, err := page(in.pageInput, len(k.Rotations))
		if err != nil {
			return nil, err
		}
		out := []rotationEntry{}
		for _, r := range k.Rotations[start:end] {
			out = append(out, rotationEntry{KeyId: k.KeyID, RotationType: r.Type, KeyMaterialId: r.MaterialID, RotationDate: epoch(r.Date)})
		}
		return paged(map[string]any{"Rotations": out}, next), nil
	})
}

type rotationEntry struct {
	KeyId, RotationType, KeyMaterialId string
	RotationDate                       epoch
}
