package secrets

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// Staging labels with a meaning of their own.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
	stagePending  = "AWSPENDING"
)

// maxVersions is how many versions a secret keeps before Secrets Manager drops
// the oldest versions that have no staging label ("deprecated" versions).
const maxVersions = 100

// secret is one secret's state. Fields are exported for the snapshot only.
type secret struct {
	ARN               string
	Name              string
	Description       string
	KmsKeyID          string // as given; "" means the AWS managed key
	Created           time.Time
	LastChanged       time.Time
	LastAccessed      time.Time
	LastRotated       time.Time
	DeletionDate      time.Time // zero unless scheduled for deletion
	RotationEnabled   bool
	RotationLambdaARN string
	RotationRules     *RotationRules
	RotationEnabledAt time.Time
	Tags              []Tag
	Policy            string
	Versions          map[string]*version
	Seq               int
}

// version is one secret version. Value is the KMS ciphertext of the value; a
// version created by RotateSecret has none until the rotation function puts it.
type version struct {
	ID           string
	Stages       []string
	Created      time.Time
	LastAccessed time.Time
	Value        []byte
	Binary       bool
	KeyARN       string
	Seq          int
}

func (s *secret) deleted() bool { return !s.DeletionDate.IsZero() }

// stageOwner returns the version carrying label, or nil.
func (s *secret) stageOwner(label string) *version {
	for _, v := range s.Versions {
		if slices.Contains(v.Stages, label) {
			return v
		}
	}
	return nil
}

// versionsInOrder returns the versions newest first.
func (s *secret) versionsInOrder() []*version {
	vs := make([]*version, 0, len(s.Versions))
	for _, v := range s.Versions {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Seq > vs[j].Seq })
	return vs
}

// addStage attaches label to v, removing it from any other version.
func (s *secret) addStage(v *version, label string) {
	for _, o := range s.Versions {
		if o != v {
			o.Stages = slices.DeleteFunc(o.Stages, func(l string) bool { return l == label })
		}
	}
	if !slices.Contains(v.Stages, label) {
		v.Stages = append(v.Stages, label)
	}
}

func (v *version) removeStage(label string) {
	v.Stages = slices.DeleteFunc(v.Stages, func(l string) bool { return l == label })
}

// makeCurrent moves AWSCURRENT to v; the version that had it becomes AWSPREVIOUS.
func (s *secret) makeCurrent(v *version) {
	old := s.stageOwner(stageCurrent)
	if old == v {
		return
	}
	if old != nil {
		old.removeStage(stageCurrent)
		s.addStage(old, stagePrevious)
	}
	v.removeStage(stagePrevious)
	s.addStage(v, stageCurrent)
}

// prune drops the oldest unlabelled versions beyond maxVersions.
func (s *secret) prune() {
	if len(s.Versions) <= maxVersions {
		return
	}
	vs := s.versionsInOrder()
	for i := len(vs) - 1; i >= 0 && len(s.Versions) > maxVersions; i-- {
		if len(vs[i].Stages) == 0 {
			delete(s.Versions, vs[i].ID)
		}
	}
}

// versionsToStages is DescribeSecret's VersionIdsToStages (labelled versions only).
func (s *secret) versionsToStages() map[string][]string {
	m := map[string][]string{}
	for id, v := range s.Versions {
		if len(v.Stages) > 0 {
			m[id] = slices.Clone(v.Stages)
		}
	}
	return m
}

// rotationInProgress reports an AWSPENDING label on a version that is not AWSCURRENT.
func (s *secret) rotationInProgress() bool {
	p := s.stageOwner(stagePending)
	return p != nil && !slices.Contains(p.Stages, stageCurrent)
}

// nextRotation is when the next scheduled rotation is due, or zero.
func (s *secret) nextRotation() time.Time {
	if !s.RotationEnabled || s.RotationRules == nil {
		return time.Time{}
	}
	days := s.RotationRules.AutomaticallyAfterDays
	if days == nil && s.RotationRules.ScheduleExpression != nil {
		if n, unit, ok := parseRate(*s.RotationRules.ScheduleExpression); ok {
			base := s.LastRotated
			if base.IsZero() {
				base = s.RotationEnabledAt
			}
			return base.Add(time.Duration(n) * unit).Truncate(time.Second)
		}
		return time.Time{}
	}
	if days == nil {
		return time.Time{}
	}
	base := s.LastRotated
	if base.IsZero() {
		base = s.RotationEnabledAt
	}
	return base.AddDate(0, 0, int(*days)).Truncate(24 * time.Hour)
}

// Tag is a secret tag.
type Tag struct {
	Key   *string `json:"Key,omitempty"`
	Value *string `json:"Value,omitempty"`
}

// RotationRules is the API's RotationRulesType.
type RotationRules struct {
	AutomaticallyAfterDays *int64  `json:"AutomaticallyAfterDays,omitempty"`
	Duration               *string `json:"Duration,omitempty"`
	ScheduleExpression     *string `json:"ScheduleExpression,omitempty"`
}

// epoch is a timestamp in the JSON 1.1 protocol's shape: seconds since the epoch.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', 3, 64), nil
}

// ts returns t as an epoch pointer, nil when zero (the field is then omitted).
func ts(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

func day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Truncate(24 * time.Hour)
}
